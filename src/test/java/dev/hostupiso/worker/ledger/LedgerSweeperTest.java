package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.testsupport.TestConfig;
import dev.hostupiso.worker.timing.Delays;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link LedgerSweeper}: sweeps the ledger on its interval from start-up, and a failed sweep does not end the sweeping. */
class LedgerSweeperTest {

    private final ManualClock clock = new ManualClock();
    private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
    private final WorkerConfig config = TestConfig.worker(Map.of("iso.ledger.sweep-interval", "20ms"));
    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger sweeps = new AtomicInteger();

    @AfterEach
    void closeVertx() {
        vertx.closeAndAwait();
    }

    @Test
    void sweepsOnItsIntervalAndGoesOnAfterAFailedSweep() {
        JournalAndOutcomePublisher ledger = new JournalAndOutcomePublisher(new LedgerWriter(Map.of(), config, metrics, clock, vertx,
                    new Delays(vertx), new Random()),
                new OutcomeRecords(new ObjectMapper(), config, TestConfig.teams(Map.of())), new ObjectMapper(), clock, config,
                Map.of()) {
            @Override
            public Uni<Integer> sweep() {
                int n = sweeps.incrementAndGet();
                return n == 1 ? Uni.createFrom().failure(new IllegalStateException("the broker is away"))
                        : Uni.createFrom().item(n % 2);
            }
        };
        LedgerSweeper sweeper = new LedgerSweeper(config, ledger, vertx);
        assertThat(sweeps).hasValue(0); // nothing before start-up

        sweeper.onStart(null);

        await().atMost(Duration.ofSeconds(10)).until(() -> sweeps.get() >= 4);
    }
}
