package dev.hostupiso.worker.ledger;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;

import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Reads the futures of a transaction's sends without waiting on them. */
final class SendResults {

    private SendResults() {
    }

    /** The metadata of a send that succeeded, or why it did not (a send still running counts as failed). */
    static Result of(Future<RecordMetadata> f) {
        if (!f.isDone()) {
            return new Result(null, new TimeoutException("send not complete"));
        }
        try {
            return new Result(f.get(0, TimeUnit.MILLISECONDS), null);
        } catch (ExecutionException e) {
            return new Result(null, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(null, e);
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            return new Result(null, e);
        }
    }

    /** Why a finished send failed, if it did; nothing for a send that succeeded or is still running. */
    static Optional<Throwable> failureOf(Future<RecordMetadata> f) {
        return f.isDone() ? Optional.ofNullable(of(f).failure()) : Optional.empty();
    }

    /** A send that failed on the record's own merits: trying it again cannot help. */
    static boolean isRejection(Throwable cause) {
        return cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
                || cause instanceof SerializationException;
    }

    /** One send's result: its metadata, or its failure. */
    record Result(RecordMetadata metadata, Throwable failure) {
    }
}
