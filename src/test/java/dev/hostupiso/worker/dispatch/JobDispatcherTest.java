package dev.hostupiso.worker.dispatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.TeamTopics;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.IsoJobRunner;
import dev.hostupiso.worker.job.IsoRequest;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobError;
import dev.hostupiso.worker.job.JobResult;
import dev.hostupiso.worker.ledger.FinishedEntry;
import dev.hostupiso.worker.ledger.JobLedger;
import dev.hostupiso.worker.ledger.LedgerEntry;
import dev.hostupiso.worker.ledger.LedgerWriter;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.outcome.OutcomeEvent;
import dev.hostupiso.worker.outcome.OutcomeRecords;
import dev.hostupiso.worker.simulator.ManualClock;
import dev.hostupiso.worker.testsupport.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JobDispatcher} with an in-memory ledger and a runner whose jobs the test ends: what a
 * delivery starts, joins or acknowledges, and what a hand-over stops. No broker, no HostUp.
 */
class JobDispatcherTest {

    private final ManualClock clock = new ManualClock();
    private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
    private final WorkerConfig config = TestConfig.worker(Map.of("iso.hand-over-grace", "1s"));
    private static final String REQUESTS = "iso-download-requests";
    private static final TeamTopics TOPICS = TestConfig.teams(Map.of());
    private final Vertx vertx = Vertx.vertx();
    private final MemoryLedger ledger = new MemoryLedger();
    private final AtomicInteger slotsFreed = new AtomicInteger();
    private final InFlightRequests inFlight = new InFlightRequests(clock, slotsFreed::incrementAndGet);
    /** Jobs started, by requestId: the test completes or watches them. */
    private final Map<String, UniEmitter<? super JobResult>> jobs = new HashMap<>();
    private final Map<String, AtomicBoolean> stopped = new HashMap<>();
    private final JobDispatcher dispatcher = new JobDispatcher(inFlight, ledger, new ControlledRunner(), metrics, clock, config);
    private final AtomicInteger acks = new AtomicInteger();

    @AfterEach
    void closeVertx() {
        vertx.closeAndAwait();
    }

    private final class ControlledRunner extends IsoJobRunner {
        ControlledRunner() {
            super(null, null, null, null, null, null, null, null, clock, config, null, null);
        }

        @Override
        public Uni<JobResult> run(JobContext ctx) {
            String id = ctx.request().requestId();
            stopped.put(id, new AtomicBoolean());
            return Uni.createFrom().emitter(e -> {
                jobs.put(id, e);
                e.onTermination(() -> stopped.get(id).set(true));
            });
        }
    }

    /** The ledger's decisions in memory: every partition owned under epoch 1, nothing recorded before. */
    private final class MemoryLedger extends JobLedger {
        final List<String> received = new ArrayList<>();
        final List<OutcomeEvent> finished = new ArrayList<>();
        final List<TopicPartition> released = new ArrayList<>();

        MemoryLedger() {
            super(new LedgerWriter(Map.of(), config, metrics, clock, vertx), new OutcomeRecords(new ObjectMapper(), config, TOPICS),
                    new ObjectMapper(), clock, config, Map.of());
        }

        @Override
        public long epochOf(TopicPartition partition) {
            return released.contains(partition) ? -1 : 1;
        }

        @Override
        public LedgerEntry open(TopicPartition partition, String requestId) {
            return null;
        }

        @Override
        public Optional<FinishedEntry> finished(TopicPartition partition, String requestId) {
            return Optional.empty();
        }

        @Override
        public Uni<Void> received(JobContext ctx, long sourceOffset) {
            received.add(ctx.request().requestId());
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<OutcomeEvent> finish(JobContext ctx, OutcomeEvent event, long receivedOffset) {
            finished.add(event);
            return Uni.createFrom().item(event);
        }

        @Override
        public void release(Collection<TopicPartition> partitions) {
            released.addAll(partitions);
        }
    }

    private void deliver(String requestId, int partition) {
        IsoRequest r = new IsoRequest(requestId, "vps_a", "https://example.org/x.iso", "x.iso", "none");
        Message<String> record = Message.of("value", () -> {
            acks.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });
        dispatcher.dispatch(r, List.of(), record, tp(partition), 7);
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition(REQUESTS, partition);
    }

    private JobResult failedResult(String requestId) {
        IsoRequest r = new IsoRequest(requestId, "vps_a", "https://example.org/x.iso", "x.iso", "none");
        JobContext ctx = new JobContext(r, clock.instant(), clock.instant().plusSeconds(60), 0, 1);
        return JobResult.failed(ctx, JobError.of("job_failed", "t", "d", false));
    }

    @Test
    void aNewRequestIsRecordedAcknowledgedRunAndItsOutcomeFinishedInTheLedger() {
        deliver("r-1", 0);
        assertThat(ledger.received).containsExactly("r-1");
        assertThat(acks).as("acknowledged once RECEIVED is durable, before the job ends").hasValue(1);
        jobs.get("r-1").complete(failedResult("r-1"));
        assertThat(ledger.finished).extracting(OutcomeEvent::requestId).containsExactly("r-1");
        assertThat(inFlight.size()).isZero();
        assertThat(slotsFreed).hasValue(1);
    }

    @Test
    void aDuplicateDeliveredWhileTheRequestRunsJoinsItWithoutASecondJob() {
        deliver("r-1", 0);
        deliver("r-1", 0);
        assertThat(jobs).hasSize(1);
        assertThat(ledger.received).containsExactly("r-1");
        assertThat(acks).as("the duplicate waits for the outcome").hasValue(1);
        jobs.get("r-1").complete(failedResult("r-1"));
        assertThat(acks).hasValue(2);
        assertThat(ledger.finished).hasSize(1);
    }

    @Test
    void aHandOverStopsThePartitionsJobsReleasesItAndFinishesNothing() {
        deliver("r-1", 2);
        deliver("r-2", 1);
        dispatcher.handOver(List.of(tp(2)));
        assertThat(stopped.get("r-1")).as("the job's wait was cancelled").isTrue();
        assertThat(stopped.get("r-2")).as("other partitions keep running").isFalse();
        assertThat(ledger.released).containsExactly(tp(2));
        assertThat(inFlight.running(REQUESTS, "r-1")).isEmpty();
        assertThat(inFlight.running(REQUESTS, "r-2")).isPresent();
        assertThat(ledger.finished).as("no outcome from a job that was handed over").isEmpty();

        deliver("r-3", 2);
        assertThat(jobs).as("a request of a released partition is left to its next owner").doesNotContainKey("r-3");
    }
}
