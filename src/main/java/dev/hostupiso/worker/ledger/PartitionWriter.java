package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.ledger.LedgerWriter.NotOwnerException;
import dev.hostupiso.worker.ledger.LedgerWriter.RecordRejectedException;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.quarkus.logging.Log;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
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
 * {@value #MAX_BATCH} writes, goes into one transaction. A write that fails on its own merits (too
 * large, not serializable) fails alone with {@link RecordRejectedException}; the others are
 * retried. A transaction that failed before its commit was asked for, and was aborted, is retried
 * with backoff: nothing of it can have landed.
 */
final class PartitionWriter {

    static final int MAX_BATCH = 500;
    /** Longest wait between two tries of a transaction that failed transiently. */
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /**
     * One queued write: its records, committed together, and the metadata of those already in a committed
     * transaction (null where a record still has to be).
     */
    record Write(List<ProducerRecord<String, String>> records, CompletableFuture<List<RecordMetadata>> done,
                 RecordMetadata[] landed) {
        Write(List<ProducerRecord<String, String>> records, CompletableFuture<List<RecordMetadata>> done) {
            this(records, done, new RecordMetadata[records.size()]);
        }

        boolean complete() {
            return java.util.Arrays.stream(landed).allMatch(java.util.Objects::nonNull);
        }
    }

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
    private final int maxRecordBytes;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Listener listener;
    private final BlockingDeque<Write> queue = new LinkedBlockingDeque<>();
    private final Object idle = new Object();
    private volatile Producer<String, String> producer;
    private volatile boolean open = true;
    private volatile long busySinceNanos;
    private boolean busy;
    private Thread thread;

    PartitionWriter(int partition, long epoch, Supplier<Producer<String, String>> producers, int maxRecordBytes,
                    WorkerMetrics metrics, Clock clock, Listener listener) {
        this.partition = partition;
        this.epoch = epoch;
        this.producers = producers;
        this.maxRecordBytes = maxRecordBytes;
        this.metrics = metrics;
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * Registers the partition's transactional id (blocking): fences the previous owner's producer
     * and aborts whatever transaction it left open, so the ledger can then be read to its end.
     */
    void start() {
        producer = producers.get();
        producer.initTransactions();
        thread = new Thread(this::loop, "ledger-writer-" + partition);
        thread.setDaemon(true);
        thread.start();
    }

    int partition() {
        return partition;
    }

    long epoch() {
        return epoch;
    }

    boolean isOpen() {
        return open;
    }

    /** Nanoseconds the writer has been inside one Kafka call, or 0 when it is not in one. */
    long busyNanos() {
        long since = busySinceNanos;
        return since == 0 ? 0 : System.nanoTime() - since;
    }

    /** Queues {@code records}; the future completes with their metadata once committed. */
    CompletableFuture<List<RecordMetadata>> write(List<ProducerRecord<String, String>> records) {
        Write w = new Write(records, new CompletableFuture<>());
        if (!open) {
            w.done().completeExceptionally(new NotOwnerException());
            return w.done();
        }
        RecordRejectedException tooLarge = oversized(records);
        if (tooLarge != null) {
            w.done().completeExceptionally(tooLarge);
            return w.done();
        }
        queue.add(w);
        if (!open) { // closed meanwhile: the close may have drained the queue before this add
            failQueued(new NotOwnerException());
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
        failQueued(new NotOwnerException());
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                // Not interrupted: a producer closed from an interrupted thread cannot join its I/O thread.
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeProducer(); // closing twice is harmless; the thread may still be in a call past the timeout
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

    private void failQueued(RuntimeException cause) {
        Write w;
        while ((w = queue.poll()) != null) {
            w.done().completeExceptionally(cause);
        }
    }

    private void loop() {
        try {
            runLoop();
        } finally {
            closeProducer(); // also when fenced: nobody else will close it
        }
    }

    private void runLoop() {
        while (open) {
            List<Write> batch = new ArrayList<>();
            try {
                Write first = queue.poll(200, TimeUnit.MILLISECONDS);
                synchronized (idle) {
                    if (first == null || !open) {
                        if (first != null) {
                            first.done().completeExceptionally(new NotOwnerException());
                        }
                        continue;
                    }
                    busy = true;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(w -> w.done().completeExceptionally(new NotOwnerException()));
                return;
            } catch (RuntimeException unexpected) {
                // Never let the writer thread die with writes waiting on it: their jobs would wait forever.
                // What this producer did is unknown, so it writes no more: the jobs stop as for a lost partition.
                Log.errorf(unexpected, "ledger partition %d: unexpected failure; this writer ends", partition);
                batch.removeIf(w -> w.done().isDone());
                end(unexpected, "fatal", batch);
            } finally {
                synchronized (idle) {
                    busy = false;
                    idle.notifyAll();
                }
            }
        }
    }

    /** What the commit loop does after one transaction. */
    private enum Next { DONE, AT_ONCE, AFTER_BACKOFF }

    /** Commits {@code batch} in one transaction, retrying what is transient; every write ends completed or failed. */
    private void commit(List<Write> batch) throws InterruptedException {
        List<Write> pending = new ArrayList<>(batch);
        Duration backoff = Duration.ofMillis(100);
        while (!pending.isEmpty()) {
            if (!open) {
                pending.forEach(w -> w.done().completeExceptionally(new NotOwnerException()));
                return;
            }
            Next next = transaction(pending, backoff);
            if (next == Next.DONE) {
                return;
            }
            if (next == Next.AFTER_BACKOFF) {
                Thread.sleep(backoff.toMillis()); // the writer's own thread, never an event loop
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** One transaction of the pending writes; on failure, what to do with them. */
    private Next transaction(List<Write> pending, Duration backoff) {
        Instant start = clock.instant();
        Map<Write, List<Future<RecordMetadata>>> sent = new java.util.LinkedHashMap<>();
        boolean committing = false;
        busySinceNanos = System.nanoTime();
        try {
            producer.beginTransaction();
            for (Write w : pending) {
                List<Future<RecordMetadata>> futures = new ArrayList<>(w.records().size());
                for (int i = 0; i < w.records().size(); i++) {
                    futures.add(w.landed()[i] != null ? null : producer.send(w.records().get(i)));
                }
                sent.put(w, futures);
            }
            committing = true;
            producer.commitTransaction();
            busySinceNanos = 0;
            metrics.ledgerTransaction(pending.size(), Duration.between(start, clock.instant()));
            listener.committed(partition);
            return settle(pending, sent);
        } catch (ProducerFencedException | InvalidProducerEpochException fenced) {
            busySinceNanos = 0;
            end(fenced, "fenced", pending);
            return Next.DONE;
        } catch (OutOfOrderSequenceException | AuthorizationException fatal) {
            busySinceNanos = 0;
            end(fatal, "fatal", pending);
            return Next.DONE;
        } catch (TimeoutException | org.apache.kafka.common.errors.InterruptException unknown) {
            busySinceNanos = 0;
            if (committing) {
                // The commit may have landed or may land later: retrying would send the batch twice, aborting
                // is refused until the commit is retried. Whoever owns the partition next settles it.
                end(unknown, "commit_unknown", pending);
                return Next.DONE;
            }
            return aborted(pending, sent, unknown, backoff);
        } catch (KafkaException | IllegalStateException failed) {
            busySinceNanos = 0;
            return aborted(pending, sent, failed, backoff);
        }
    }

    /**
     * After a commit: completes every write whose records are all in. Kafka can commit a transaction
     * although one of its sends failed (the failed batch's error did not reach the transaction's state
     * in time); the rest of that write is then committed in the next transaction, before the write
     * completes, so a terminal ledger record never stands without its outcome event.
     */
    private Next settle(List<Write> pending, Map<Write, List<Future<RecordMetadata>>> sent) {
        List<Throwable> missed = new ArrayList<>();
        sent.forEach((w, futures) -> {
            for (int i = 0; i < futures.size(); i++) {
                Future<RecordMetadata> f = futures.get(i);
                if (f != null) {
                    Throwable cause = landed(w, i, f);
                    if (cause != null) {
                        missed.add(cause);
                    }
                }
            }
        });
        pending.removeIf(w -> w.done().isDone() || w.complete() && w.done().complete(List.of(w.landed())));
        if (missed.isEmpty()) {
            return Next.DONE;
        }
        metrics.ledgerFailure("partial_commit");
        Log.warnf("ledger partition %d: a transaction committed without %d of its records (%s); committing them "
                + "in the next one", partition, missed.size(), missed.get(0));
        return Next.AFTER_BACKOFF;
    }

    /** Records the metadata of send {@code i} of {@code w}; answers why it failed, or null. */
    private static Throwable landed(Write w, int i, Future<RecordMetadata> f) {
        Throwable cause = f.isDone() ? failureOf(f) : new TimeoutException("send not complete at commit");
        if (cause == null) {
            w.landed()[i] = metadata(List.of(f)).get(0);
        } else if (isRejection(cause)) {
            w.done().completeExceptionally(new RecordRejectedException(cause.getMessage()));
        }
        return cause;
    }

    private static boolean isRejection(Throwable cause) {
        return cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
                || cause instanceof SerializationException;
    }

    /**
     * After a failed transaction: a write rejected on its own merits fails alone and the others go
     * into the next try at once; otherwise they all wait a backoff. If the abort fails, what the
     * transaction did is unknown and the writer ends.
     */
    private Next aborted(List<Write> pending, Map<Write, List<Future<RecordMetadata>>> sent, RuntimeException failed,
                         Duration backoff) {
        List<Write> rejected = rejected(sent);
        rejected.forEach(w -> {
            pending.remove(w);
            metrics.ledgerFailure("rejected");
        });
        RuntimeException abortFailure = abort();
        if (abortFailure != null) {
            end(abortFailure, abortFailure instanceof ProducerFencedException
                    || abortFailure instanceof InvalidProducerEpochException ? "fenced" : "commit_unknown", pending);
            return Next.DONE;
        }
        if (!rejected.isEmpty()) {
            Log.errorf("ledger partition %d: %d write(s) rejected by Kafka and failed alone (%s)", partition,
                    rejected.size(), failed.getMessage());
            return Next.AT_ONCE;
        }
        metrics.ledgerFailure("transient");
        listener.commitFailed(partition, failed);
        Log.warnf("ledger partition %d: transaction failed (%s); retrying in %s", partition, failed.getMessage(), backoff);
        return Next.AFTER_BACKOFF;
    }

    /** The writes of an aborted transaction whose own sends failed for a reason retrying cannot fix. */
    private static List<Write> rejected(Map<Write, List<Future<RecordMetadata>>> sent) {
        List<Write> rejected = new ArrayList<>();
        sent.forEach((w, futures) -> {
            for (Future<RecordMetadata> f : futures) {
                Throwable cause = f == null ? null : failureOf(f);
                if (isRejection(cause)) {
                    w.done().completeExceptionally(new RecordRejectedException(cause.getMessage()));
                    rejected.add(w);
                    return;
                }
            }
        });
        return rejected;
    }

    private static Throwable failureOf(Future<RecordMetadata> f) {
        if (!f.isDone()) {
            return null;
        }
        try {
            f.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static List<RecordMetadata> metadata(List<Future<RecordMetadata>> futures) {
        List<RecordMetadata> out = new ArrayList<>(futures.size());
        for (Future<RecordMetadata> f : futures) {
            try {
                out.add(f.get(0, TimeUnit.MILLISECONDS)); // committed: every send is complete
            } catch (Exception e) {
                out.add(null);
            }
        }
        return out;
    }

    /**
     * This assignment's writer is over: fenced by the next owner, or unsure what it committed.
     * Nothing of it may be committed any more, and its producer is never re-initialised.
     */
    private void end(RuntimeException cause, String reason, List<Write> pending) {
        Log.warnf("ledger partition %d: writer ended (%s: %s); its jobs stop here until the partition is assigned "
                + "afresh", partition, reason, cause.getClass().getSimpleName());
        open = false;
        metrics.ledgerFailure(reason);
        listener.ended(partition, epoch, reason); // before the jobs hear of it, so they stop as one
        pending.forEach(w -> w.done().completeExceptionally(new NotOwnerException()));
        failQueued(new NotOwnerException());
    }

    /** Aborts the transaction in progress; answers null, or why the abort failed. */
    private RuntimeException abort() {
        try {
            producer.abortTransaction();
            return null;
        } catch (KafkaException | IllegalStateException abortFailed) {
            // Fenced, timed out, or refused (after a commit that timed out, Kafka asks for the commit to be retried).
            return abortFailed;
        }
    }

    /** Rejects a write larger than the producer accepts before it can poison a transaction. */
    private RecordRejectedException oversized(List<ProducerRecord<String, String>> records) {
        for (ProducerRecord<String, String> r : records) {
            long size = utf8Length(r.key()) + utf8Length(r.value());
            for (var h : r.headers()) {
                size += h.key().length() + (h.value() == null ? 0 : h.value().length);
            }
            if (size > maxRecordBytes) {
                return new RecordRejectedException("a " + r.topic() + " record of " + size + " bytes exceeds the "
                        + maxRecordBytes + "-byte limit");
            }
        }
        return null;
    }

    private static long utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }
}
