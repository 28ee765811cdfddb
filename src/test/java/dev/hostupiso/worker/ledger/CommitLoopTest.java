package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.job.Backoff;
import dev.hostupiso.worker.job.RetryPolicy;
import dev.hostupiso.worker.ledger.LedgerWriter.NotOwnerException;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/** The commit loop of one batch: jittered waits between failed transactions, and what ends it. */
class CommitLoopTest {

    /** nextDouble() is 0.5: the middle of each jitter range. */
    private static final RandomGenerator HALF = () -> 1L << 63;

    /** A producer whose next {@code failing} commits fail before anything can land. */
    static final class FlakyProducer extends MockProducer<String, String> {
        final AtomicInteger failing = new AtomicInteger();

        FlakyProducer() {
            super(true, null, new StringSerializer(), new StringSerializer());
            initTransactions();
        }

        @Override
        public void commitTransaction() {
            if (failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new KafkaException("the broker is not reachable");
            }
            super.commitTransaction();
        }
    }

    private final FlakyProducer producer = new FlakyProducer();
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final List<String> ended = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private CommitLoop loop(java.util.function.Function<Duration, Uni<Void>> wait) {
        LedgerRetry retry = new LedgerRetry(new Backoff(new RetryPolicy(LedgerRetry.INITIAL, LedgerRetry.MAX,
                LedgerRetry.MAX), HALF), d -> {
            waits.add(d);
            return wait.apply(d);
        });
        LedgerTransaction transaction = new LedgerTransaction(0, producer, new WorkerMetrics(registry), Clock.systemUTC(),
                new PartitionWriter.Listener() {
                    @Override
                    public void commitFailed(int partition, Exception cause) {
                    }

                    @Override
                    public void committed(int partition) {
                    }

                    @Override
                    public void ended(int partition, long epoch, String reason) {
                    }
                });
        return new CommitLoop(transaction, retry, Runnable::run, new CommitLoop.Owner() {
            @Override
            public boolean isOpen() {
                return open.get();
            }

            @Override
            public void end(RuntimeException cause, String reason, List<LedgerWrite> pending) {
                ended.add(reason);
                open.set(false);
                pending.forEach(w -> w.fail(new NotOwnerException()));
            }
        });
    }

    private static LedgerWrite write(String value) {
        return new LedgerWrite(List.of(new ProducerRecord<>("ledger", 0, "r-1", value)));
    }

    @Test
    void waitsAJitteredDoublingBackoffBetweenFailedTransactionsThenCommits() {
        producer.failing.set(4);
        LedgerWrite w = write("a");

        loop(d -> Uni.createFrom().voidItem()).commit(List.of(w)).await().atMost(Duration.ofSeconds(5));

        // [100 ms, min(5 s, 100 ms * 2^n)] at the middle: 100, 150, 250, 450.
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(150), Duration.ofMillis(250),
                Duration.ofMillis(450));
        assertThat(w.done()).isCompleted();
        assertThat(producer.history()).extracting(ProducerRecord::value).containsExactly("a");
        assertThat(registry.get(WorkerMetrics.LEDGER_FAILURES).tag("kind", "transient").counter().count()).isEqualTo(4);
    }

    @Test
    void theBackoffStopsAtItsCeiling() {
        producer.failing.set(9);

        loop(d -> Uni.createFrom().voidItem()).commit(List.of(write("a"))).await().atMost(Duration.ofSeconds(5));

        assertThat(waits).hasSize(9).allMatch(d -> d.compareTo(LedgerRetry.MAX) <= 0);
        assertThat(waits.get(8)).isEqualTo(Duration.ofMillis(100 + (5000 - 100) / 2));
    }

    @Test
    void aWriterClosedDuringTheWaitCommitsNothingMoreAndFailsItsWrites() {
        producer.failing.set(1);
        LedgerWrite w = write("a");

        loop(d -> Uni.createFrom().voidItem().invoke(() -> open.set(false))).commit(List.of(w))
                .await().atMost(Duration.ofSeconds(5));

        assertThat(w.done()).isCompletedExceptionally();
        assertThat(producer.history()).isEmpty();
        assertThat(ended).as("closed, not ended: the owner already knows").isEmpty();
    }

    @Test
    void aFenceEndsTheWriterWithoutWaitingOrTryingAgain() {
        producer.fenceProducer();
        LedgerWrite w = write("a");

        loop(d -> Uni.createFrom().voidItem()).commit(List.of(w)).await().atMost(Duration.ofSeconds(5));

        assertThat(ended).containsExactly("fenced");
        assertThat(waits).isEmpty();
        assertThat(w.done()).isCompletedExceptionally();
    }
}
