package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.ledger.LedgerWriter.RecordRejectedException;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * One transaction of a ledger partition's pending writes on its producer, and what it came to. A
 * commit Kafka confirmed completes the writes whose records are all in; a failure before the commit
 * was asked for is aborted (nothing of it can have landed) and tried again; a commit whose result is
 * unknown, a fence or a fatal producer state ends the writer.
 */
final class LedgerTransaction {

    private static final Logger LOG = Logger.getLogger(LedgerTransaction.class);

    /** What the writer does after a transaction. */
    enum Next { DONE, AT_ONCE, AFTER_BACKOFF, END }

    /** A transaction's outcome: what to do next and, when the writer ends, why ({@code reason} is a metric label). */
    record Outcome(Next next, RuntimeException cause, String reason) {
        static Outcome of(Next next) {
            return new Outcome(next, null, null);
        }

        static Outcome end(RuntimeException cause, String reason) {
            return new Outcome(Next.END, cause, reason);
        }
    }

    private final int partition;
    private final Producer<String, String> producer;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final PartitionWriter.Listener listener;
    private volatile long busySinceNanos;

    LedgerTransaction(int partition, Producer<String, String> producer, WorkerMetrics metrics, Clock clock,
                      PartitionWriter.Listener listener) {
        this.partition = partition;
        this.producer = producer;
        this.metrics = metrics;
        this.clock = clock;
        this.listener = listener;
    }

    /** Nanoseconds the producer has been inside one transaction, or 0 when it is not in one. */
    long busyNanos() {
        long since = busySinceNanos;
        return since == 0 ? 0 : System.nanoTime() - since;
    }

    /** Commits the records of {@code pending} not yet in; removes the writes that are over from it. */
    Outcome run(List<LedgerWrite> pending) {
        Instant start = clock.instant();
        Map<LedgerWrite, List<Future<RecordMetadata>>> sent = new LinkedHashMap<>();
        boolean committing = false;
        busySinceNanos = System.nanoTime();
        try {
            producer.beginTransaction();
            send(pending, sent);
            committing = true;
            producer.commitTransaction();
            metrics.ledgerTransaction(pending.size(), Duration.between(start, clock.instant()));
            listener.committed(partition);
            return settle(pending, sent);
        } catch (ProducerFencedException | InvalidProducerEpochException fenced) {
            return Outcome.end(fenced, "fenced");
        } catch (OutOfOrderSequenceException | AuthorizationException fatal) {
            return Outcome.end(fatal, "fatal");
        } catch (TimeoutException | InterruptException unknown) {
            // After the commit was asked for, it may have landed or may land later: retrying would send the batch
            // twice, and Kafka refuses the abort until the commit is retried. Whoever owns the partition next settles it.
            return committing ? Outcome.end(unknown, "commit_unknown") : aborted(pending, sent, unknown);
        } catch (KafkaException | IllegalStateException failed) {
            return aborted(pending, sent, failed);
        } finally {
            busySinceNanos = 0;
        }
    }

    private void send(List<LedgerWrite> pending, Map<LedgerWrite, List<Future<RecordMetadata>>> sent) {
        for (LedgerWrite w : pending) {
            List<Future<RecordMetadata>> futures = new ArrayList<>(w.records().size());
            for (int i = 0; i < w.records().size(); i++) {
                futures.add(w.hasLanded(i) ? null : producer.send(w.records().get(i)));
            }
            sent.put(w, futures);
        }
    }

    /**
     * After a commit: completes every write whose records are all in. Kafka can commit a transaction
     * although one of its sends failed; the rest of that write then goes into the next transaction,
     * before the write completes, so a terminal ledger record never stands without its outcome event.
     */
    private Outcome settle(List<LedgerWrite> pending, Map<LedgerWrite, List<Future<RecordMetadata>>> sent) {
        List<Throwable> missed = new ArrayList<>();
        sent.forEach((w, futures) -> {
            for (int i = 0; i < futures.size(); i++) {
                if (futures.get(i) == null) {
                    continue;
                }
                SendResults.Result result = SendResults.of(futures.get(i));
                if (result.failure() == null) {
                    w.landed(i, result.metadata());
                } else {
                    missed.add(result.failure());
                    if (SendResults.isRejection(result.failure())) {
                        metrics.ledgerFailure("rejected");
                        w.fail(new RecordRejectedException(result.failure().getMessage()));
                    }
                }
            }
        });
        pending.removeIf(LedgerWrite::completeIfLanded);
        if (missed.isEmpty()) {
            return Outcome.of(Next.DONE);
        }
        metrics.ledgerFailure("partial_commit");
        LOG.warnf("ledger partition %d: a transaction committed without %d of its records (%s); committing them "
                + "in the next one", partition, missed.size(), missed.get(0));
        return Outcome.of(pending.isEmpty() ? Next.DONE : Next.AFTER_BACKOFF);
    }

    /**
     * After a failed transaction: a write rejected on its own merits fails alone and the others go
     * into the next try at once; otherwise they all wait a backoff. If the abort fails, what the
     * transaction did is unknown and the writer ends.
     */
    private Outcome aborted(List<LedgerWrite> pending, Map<LedgerWrite, List<Future<RecordMetadata>>> sent,
                            RuntimeException failed) {
        List<LedgerWrite> rejected = rejected(sent);
        rejected.forEach(w -> {
            pending.remove(w);
            metrics.ledgerFailure("rejected");
        });
        RuntimeException abortFailure = abort();
        if (abortFailure != null) {
            return Outcome.end(abortFailure, abortFailure instanceof ProducerFencedException
                    || abortFailure instanceof InvalidProducerEpochException ? "fenced" : "commit_unknown");
        }
        if (!rejected.isEmpty()) {
            LOG.errorf("ledger partition %d: %d write(s) rejected by Kafka and failed alone (%s)", partition,
                    rejected.size(), failed.getMessage());
            return Outcome.of(Next.AT_ONCE);
        }
        metrics.ledgerFailure("transient");
        listener.commitFailed(partition, failed);
        LOG.warnf("ledger partition %d: transaction failed (%s); retrying after a backoff", partition, failed.getMessage());
        return Outcome.of(Next.AFTER_BACKOFF);
    }

    /** The writes of an aborted transaction whose own sends failed for a reason retrying cannot fix; failed here. */
    private static List<LedgerWrite> rejected(Map<LedgerWrite, List<Future<RecordMetadata>>> sent) {
        List<LedgerWrite> rejected = new ArrayList<>();
        sent.forEach((w, futures) -> futures.stream()
                .filter(f -> f != null)
                .map(f -> SendResults.failureOf(f).orElse(null))
                .filter(SendResults::isRejection)
                .findFirst()
                .ifPresent(cause -> {
                    w.fail(new RecordRejectedException(cause.getMessage()));
                    rejected.add(w);
                }));
        return rejected;
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
}
