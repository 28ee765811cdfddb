package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.ledger.LedgerWriter.RecordRejectedException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

import java.util.List;
import java.util.Optional;

/**
 * The largest record a ledger producer accepts: a write with a larger one is refused before it can
 * poison a transaction. Sizes are counted as UTF-8 bytes of key and value plus the headers, an upper
 * bound of what Kafka counts for the record itself (the batch overhead is the caller's margin).
 */
record RecordSizeLimit(int maxRecordBytes) {

    RecordSizeLimit {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("the record size limit must be positive, got " + maxRecordBytes);
        }
    }

    /** Why {@code records} cannot be written, if one of them is too large. */
    Optional<RecordRejectedException> check(List<ProducerRecord<String, String>> records) {
        for (ProducerRecord<String, String> r : records) {
            long size = size(r);
            if (size > maxRecordBytes) {
                return Optional.of(new RecordRejectedException("a " + r.topic() + " record of " + size
                        + " bytes exceeds the " + maxRecordBytes + "-byte limit"));
            }
        }
        return Optional.empty();
    }

    static long size(ProducerRecord<String, String> r) {
        long size = utf8Length(r.key()) + utf8Length(r.value());
        for (Header h : r.headers()) {
            size += utf8Length(h.key()) + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    static long utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // A surrogate pair is 4 bytes in UTF-8: 2 for each half.
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }
}
