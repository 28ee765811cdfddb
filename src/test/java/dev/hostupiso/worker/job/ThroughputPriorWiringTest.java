package dev.hostupiso.worker.job;

import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobStatus;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's one {@link ThroughputPrior} is the one its {@link JobPoller} teaches and asks: downloads of a known
 * size, queued on the simulator through the application's HostUp port and polled by the application's poller, teach
 * it, and once it has seen five, the next five are polled a third less at least.
 */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class ThroughputPriorWiringTest {

    /** A size no other test's download has (their origins send none): only these downloads teach the prior. */
    private static final long BYTES = 3_000_000_000L;

    @Inject
    JobPoller poller;

    @Inject
    ThroughputPrior prior;

    @Inject
    HostUpPort hostUp;

    /** One download of {@link #BYTES} taking 3 s on the simulator, its size as the preflight records it; its polls. */
    private int download() {
        String vps = "vps_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        WorkerTestEnvironment.simulator().vps(vps).jobDuration(Duration.ofSeconds(3));
        IsoRequest r = new IsoRequest("prior-" + UUID.randomUUID(), vps, "https://releases.example.org/big.iso", "big.iso", "none");
        Instant now = Instant.now();
        JobContext ctx = new JobContext(r, now, now.plusSeconds(60), 0, 1).withKnown(BYTES, null);
        ctx.withAccount(hostUp.account(ctx).await().atMost(Duration.ofSeconds(10)));
        HostUpPort.FromUrlAnswer answer = hostUp.fromUrl(ctx, new HostUpPort.OnTheWire<>() {
            @Override
            public Uni<String> beforeTry() {
                return Uni.createFrom().item(r.url());
            }

            @Override
            public Uni<Void> refused() {
                return Uni.createFrom().voidItem();
            }
        }).await().atMost(Duration.ofSeconds(10));
        JobStatus status = ((HostUpPort.Accepted) answer).job();
        ctx.submission(s -> s.withJob(status.jobId().orElseThrow()));
        ctx.submission(s -> s.withPollUrl(status.pollUrl().orElse("/api/jobs/" + status.jobId().orElseThrow())));
        poller.awaitCompletion(ctx).await().atMost(Duration.ofSeconds(30));
        return WorkerTestEnvironment.simulator().calls(vps, Endpoint.JOB).size();
    }

    @Test
    void downloadsSeenDoneTeachThePriorAndTheNextOnesArePolledLess() {
        assertThat(prior.expect(BYTES)).as("nothing learned yet").isEmpty();
        int first = 0;
        for (int i = 0; i < 5; i++) {
            first += download();
        }
        assertThat(prior.expect(BYTES)).as("learned from the five downloads the poller saw done").hasValueSatisfying(p ->
                assertThat(p.typical()).isBetween(Duration.ofMillis(2_500), Duration.ofMillis(4_500)));
        int second = 0;
        for (int i = 0; i < 5; i++) {
            second += download();
        }
        // First polled at the quickest time the prior allows, the end confirmed by the prior's typical time: about two
        // polls each (measured: 10 against 20; 15 when the first poll waits the initial delay, as before the prior).
        assertThat(second).as("polls of the second five (the first five: %d)", first).isLessThanOrEqualTo(first * 2 / 3);
    }
}
