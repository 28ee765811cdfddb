package dev.hostupiso.worker.ledger;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One queued write of a ledger partition: its records, committed together, and the metadata of
 * those already in a committed transaction. A write completes once every record is in; until then
 * a record still missing goes into the next transaction, and one already in is not sent again.
 */
final class LedgerWrite {

    private final List<ProducerRecord<String, String>> records;
    private final RecordMetadata[] landed;
    private final CompletableFuture<List<RecordMetadata>> done = new CompletableFuture<>();

    LedgerWrite(List<ProducerRecord<String, String>> records) {
        this.records = List.copyOf(records);
        this.landed = new RecordMetadata[records.size()];
    }

    List<ProducerRecord<String, String>> records() {
        return records;
    }

    /** Completes with the records' metadata, in order, once all are committed. */
    CompletableFuture<List<RecordMetadata>> done() {
        return done;
    }

    /** Whether record {@code i} is already in a committed transaction. */
    boolean hasLanded(int i) {
        return landed[i] != null;
    }

    /** Record {@code i} is in a committed transaction, at {@code metadata}. */
    void landed(int i, RecordMetadata metadata) {
        landed[i] = Objects.requireNonNull(metadata, "metadata");
    }

    /** Completes the write if every record is in; answers whether the write is over (completed or failed). */
    boolean completeIfLanded() {
        if (!done.isDone() && Arrays.stream(landed).allMatch(Objects::nonNull)) {
            done.complete(List.of(landed));
        }
        return done.isDone();
    }

    /** Fails the write (unless it is over already). */
    void fail(Throwable cause) {
        done.completeExceptionally(cause);
    }
}
