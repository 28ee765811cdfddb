package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.ledger.LedgerWriter.NotOwnerException;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The transactional writer of one ledger partition, for one assignment of it.
 * <p>
 * Its transactional id is the partition's, not the process's: whoever is assigned the partition
 * next calls {@code initTransactions} with the same id, which fences this producer and aborts any
 * transaction it left open. A writer that finds itself fenced therefore knows the partition has
 * moved (a paused or partitioned instance woke up after the group gave its work away): it fails its
 * writes with {@link NotOwnerException} and reports the loss; it does not ask for a restart.
 * <p>
 * A writer that may have lost its partition never writes it again, and never re-registers the
 * transactional id: a commit whose result is unknown (it timed out, or the producer can no longer
 * abort), a producer in a fatal state, or an unexpected failure ends the writer exactly like a
 * fence. Re-initialising here would fence whoever owns the partition now, and retrying the batch
 * would commit stale state over theirs (or twice, if the timed-out commit landed). Only a fresh
 * assignment creates a writer: the next owner's {@code initTransactions} completes or aborts the
 * transaction left in doubt before it reads the ledger.
 * <p>
 * Writes are group-committed on the writer's own thread: whatever is queued, up to
 * {@value #MAX_BATCH} writes, goes into one transaction ({@link LedgerTransaction}), tried again
 * after a jittered backoff while it fails transiently ({@link CommitLoop}). A write that fails on
 * its own merits (too large, not serializable) fails alone with
 * {@link LedgerWriter.RecordRejectedException}.
 */
final class PartitionWriter implements CommitLoop.Owner {

    private static final Logger LOG = Logger.getLogger(PartitionWriter.class);

    static final int MAX_BATCH = 500;

    /** What the writer reports to its owner. */
    interface Listener {
        /** A transaction failed (transiently): the ledger is not committing. */
        void commitFailed(int partition, Exception cause);

        /** A transaction committed. */
        void committed(int partition);

        /**
         * The writer of assignment {@code epoch} ended for good: fenced (another instance owns
         * {@code partition} now) or unsure what it committed. {@code reason} is a metric label.
         */
        void ended(int partition, long epoch, String reason);
    }

    private final int partition;
    private final long epoch;
    private final Supplier<Producer<String, String>> producers;
    private final RecordSizeLimit sizeLimit;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Listener listener;
    private final LedgerRetry retry;
    private final BlockingDeque<LedgerWrite> queue = new LinkedBlockingDeque<>();
    private final Object idle = new Object();
    private volatile Producer<String, String> producer;
    private volatile LedgerTransaction transaction;
    private volatile boolean open = true;
    private boolean busy;
    private ExecutorService thread;
    private CommitLoop commits;

    PartitionWriter(int partition, long epoch, Supplier<Producer<String, String>> producers, RecordSizeLimit sizeLimit,
                    WorkerMetrics metrics, Clock clock, Listener listener, LedgerRetry retry) {
        this.partition = partition;
        this.epoch = epoch;
        this.producers = producers;
        this.sizeLimit = sizeLimit;
        this.metrics = metrics;
        this.clock = clock;
        this.listener = listener;
        this.retry = retry;
    }

    /**
     * Registers the partition's transactional id (blocking): fences the previous owner's producer
     * and aborts whatever transaction it left open, so the ledger can then be read to its end.
     */
    void start() {
        producer = producers.get();
        producer.initTransactions();
        transaction = new LedgerTransaction(partition, producer, metrics, clock, listener);
        thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ledger-writer-" + partition);
            t.setDaemon(true);
            return t;
        });
        commits = new CommitLoop(transaction, retry, thread, this);
        thread.execute(this::drain);
    }

    long epoch() {
        return epoch;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Nanoseconds the writer has been inside one Kafka call, or 0 when it is not in one. */
    long busyNanos() {
        LedgerTransaction t = transaction;
        return t == null ? 0 : t.busyNanos();
    }

    /** Queues {@code records}; the future completes with their metadata once committed. */
    CompletableFuture<List<RecordMetadata>> write(List<ProducerRecord<String, String>> records) {
        LedgerWrite w = new LedgerWrite(records);
        if (!open) {
            w.fail(new NotOwnerException());
            return w.done();
        }
        sizeLimit.check(records).ifPresentOrElse(w::fail, () -> queue.add(w));
        if (!open) { // closed meanwhile: the close may have drained the queue before this add
            failQueued();
        }
        return w.done();
    }

    /**
     * Gives the partition up: no write queued from now on is committed, the transaction in progress
     * (if any) is waited for up to {@code timeout}, then the producer is closed.
     */
    void close(Duration timeout) {
        open = false;
        awaitIdle(timeout);
        failQueued();
        ExecutorService t = thread;
        if (t != null) {
            t.shutdown();
            try {
                // Not interrupted: a producer closed from an interrupted thread cannot join its I/O thread.
                t.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeProducer(); // closing twice is harmless; the thread may still be in a call past the timeout
    }

    /**
     * This assignment's writer is over: fenced by the next owner, or unsure what it committed.
     * Nothing of it may be committed any more, and its producer is never re-initialised.
     */
    @Override
    public void end(RuntimeException cause, String reason, List<LedgerWrite> pending) {
        LOG.warnf("ledger partition %d: writer ended (%s: %s); its jobs stop here until the partition is assigned "
                + "afresh", partition, reason, cause.getClass().getSimpleName());
        open = false;
        metrics.ledgerFailure(reason);
        listener.ended(partition, epoch, reason); // before the jobs hear of it, so they stop as one
        pending.forEach(w -> w.fail(new NotOwnerException()));
        failQueued();
    }

    /** Takes the next batch off the queue and commits it; runs on the writer's thread, again and again. */
    private void drain() {
        LedgerWrite first;
        try {
            first = open ? queue.poll(200, TimeUnit.MILLISECONDS) : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (idle) {
            if (first == null || !open) {
                if (first != null) {
                    first.fail(new NotOwnerException());
                }
                next();
                return;
            }
            busy = true;
        }
        List<LedgerWrite> batch = new ArrayList<>();
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        commits.commit(batch).subscribe().with(done -> idleAgain(), failure -> failed(failure, batch));
    }

    /** Never let a batch hang: its jobs would wait forever. What this producer did is unknown, so it writes no more. */
    private void failed(Throwable failure, List<LedgerWrite> batch) {
        List<LedgerWrite> left = batch.stream().filter(w -> !w.done().isDone()).toList();
        if (open) {
            LOG.errorf(failure, "ledger partition %d: unexpected failure; this writer ends", partition);
            end(failure instanceof RuntimeException r ? r : new IllegalStateException(failure), "fatal", left);
        } else {
            left.forEach(w -> w.fail(new NotOwnerException()));
        }
        idleAgain();
    }

    private void idleAgain() {
        synchronized (idle) {
            busy = false;
            idle.notifyAll();
        }
        next();
    }

    /** The next round of the writer's thread, or, once the writer is over, its producer closed (also when fenced). */
    private void next() {
        if (open) {
            try {
                thread.execute(this::drain);
                return;
            } catch (RejectedExecutionException closing) {
                // close() shut the thread down: it closes the producer
            }
        }
        closeProducer();
        thread.shutdown();
    }

    private void closeProducer() {
        Producer<String, String> p = producer;
        if (p != null) {
            try {
                p.close(Duration.ofSeconds(1));
            } catch (KafkaException ignored) {
                // a fenced or broken producer may fail to close; nothing is left to flush
            }
        }
    }

    private void awaitIdle(Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (busy && System.nanoTime() < until) {
                try {
                    idle.wait(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void failQueued() {
        LedgerWrite w;
        while ((w = queue.poll()) != null) {
            w.fail(new NotOwnerException());
        }
    }
}
