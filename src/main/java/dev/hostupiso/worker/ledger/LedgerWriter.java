package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Writes ledger records and outcome events with one transactional producer, so that an outcome and
 * its terminal ledger record are published together or not at all. Writes are group-committed: a
 * dedicated thread takes whatever is queued, up to {@value #MAX_BATCH} writes, into one
 * transaction. A write whose {@code stillOwned} check fails when its turn comes (the partition was
 * revoked) is dropped and fails with {@link NotOwnerException}: the partition's new owner carries on.
 * Transient Kafka errors abort the transaction and the batch is retried; a fenced producer is fatal.
 */
@ApplicationScoped
public class LedgerWriter {

    static final int MAX_BATCH = 500;

    private record Write(List<ProducerRecord<String, String>> records, BooleanSupplier stillOwned,
                         CompletableFuture<Void> done) {
    }

    private final BlockingQueue<Write> queue = new LinkedBlockingQueue<>();
    private final Map<String, Object> producerConfig;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final java.util.concurrent.Executor eventLoop;
    private final Object idle = new Object();
    private volatile KafkaProducer<String, String> producer;
    private volatile Thread thread;
    private volatile boolean running = true;
    private volatile boolean broken;
    private boolean busy;

    public LedgerWriter(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, WorkerConfig config,
                        WorkerMetrics metrics, Clock clock, io.vertx.mutiny.core.Vertx vertx) {
        this.metrics = metrics;
        this.eventLoop = task -> vertx.getDelegate().runOnContext(v -> task.run());
        this.clock = clock;
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.keySet().removeIf(k -> k.startsWith("group.") || k.startsWith("auto.offset"));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // Unique per process: two instances must never share (and fence) one transactional id.
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                config.ledger().transactionalIdPrefix() + "-" + UUID.randomUUID());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "isoworker-ledger");
        this.producerConfig = props;
    }

    /** Starts the producer (blocking: registers the transactional id with the broker). */
    synchronized void start() {
        if (producer != null) {
            return;
        }
        KafkaProducer<String, String> p = new KafkaProducer<>(producerConfig);
        p.initTransactions();
        producer = p;
        thread = new Thread(this::loop, "ledger-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code records} for the next transaction; completes once it is committed. */
    public Uni<Void> write(List<ProducerRecord<String, String>> records, BooleanSupplier stillOwned) {
        return Uni.createFrom().deferred(() -> {
            if (broken || !running) {
                return Uni.createFrom().failure(new IllegalStateException("the ledger writer is stopped"));
            }
            Write w = new Write(records, stillOwned, new CompletableFuture<>());
            queue.add(w);
            // Continue the job on an event loop: the writer thread must stay free for the next
            // transaction, and the worker pool would grow a thread per burst of writes.
            return Uni.createFrom().completionStage(w.done()).emitOn(eventLoop);
        });
    }

    /** True once a fatal producer error happened: the process must be restarted (liveness DOWN). */
    public boolean isBroken() {
        return broken;
    }

    /** Waits until the transaction in progress, if any, has finished (used on partition revocation). */
    public void awaitIdle(Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (busy && System.nanoTime() < until) {
                try {
                    idle.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void loop() {
        while (running) {
            List<Write> batch = new ArrayList<>();
            try {
                Write first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                synchronized (idle) {
                    busy = true;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                synchronized (idle) {
                    busy = false;
                    idle.notifyAll();
                }
            }
        }
    }

    private void commit(List<Write> batch) throws InterruptedException {
        List<Write> owned = new ArrayList<>();
        for (Write w : batch) {
            if (w.stillOwned().getAsBoolean()) {
                owned.add(w);
            } else {
                w.done().completeExceptionally(new NotOwnerException());
            }
        }
        Duration backoff = Duration.ofMillis(200);
        while (!owned.isEmpty()) {
            Instant start = clock.instant();
            try {
                producer.beginTransaction();
                for (Write w : owned) {
                    for (ProducerRecord<String, String> r : w.records()) {
                        producer.send(r);
                    }
                }
                producer.commitTransaction();
                metrics.ledgerTransaction(owned.size(), Duration.between(start, clock.instant()));
                owned.forEach(w -> w.done().complete(null));
                return;
            } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException fatal) {
                broken = true;
                running = false;
                Log.errorf(fatal, "ledger producer failed fatally; the worker must restart");
                owned.forEach(w -> w.done().completeExceptionally(fatal));
                queue.forEach(w -> w.done().completeExceptionally(fatal));
                return;
            } catch (KafkaException transientError) {
                Log.warnf("ledger transaction failed (%s); retrying in %s", transientError.getMessage(), backoff);
                try {
                    producer.abortTransaction();
                } catch (KafkaException abortFailed) {
                    // The producer is in an error state (e.g. the broker went away mid-commit): replace it.
                    // Re-initialising with the same transactional id aborts whatever the old one left open.
                    Log.warnf("ledger producer unusable (%s): recreating it", abortFailed.getMessage());
                    recreateProducer();
                }
                Thread.sleep(backoff.toMillis()); // the writer's own thread, never an event loop
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : backoff.multipliedBy(2);
                owned.removeIf(w -> {
                    if (w.stillOwned().getAsBoolean()) {
                        return false;
                    }
                    w.done().completeExceptionally(new NotOwnerException());
                    return true;
                });
            }
        }
    }

    private void recreateProducer() {
        try {
            producer.close(Duration.ZERO);
        } catch (KafkaException ignored) {
            // closing a broken producer may fail too
        }
        while (running) {
            try {
                KafkaProducer<String, String> p = new KafkaProducer<>(producerConfig);
                p.initTransactions();
                producer = p;
                return;
            } catch (KafkaException e) {
                Log.warnf("ledger producer not ready yet (%s); retrying", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @PreDestroy
    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        queue.forEach(w -> w.done().completeExceptionally(new NotOwnerException()));
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** The write's partition is no longer this instance's. */
    public static final class NotOwnerException extends RuntimeException {
        public NotOwnerException() {
            super("partition no longer owned by this instance", null, false, false);
        }
    }
}
