package dev.hostupiso.worker.intake;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A request record that cannot be answered, as it came from Kafka: original key, value bytes and
 * headers, where it was read and why it is dead. {@link #toRecord} makes the dead-letter copy: the
 * whole record, or (when even the dead-letter topic cannot hold it) a truncated one that says so.
 *
 * @param key   the original key bytes, or null
 * @param value the original value bytes, or null (a tombstone)
 */
public record DeadLetter(String topic, int partition, long offset, byte[] key, byte[] value, List<Header> headers,
                         String reason) {

    public static final String REASON = "dead-letter-reason";
    public static final String TOPIC = "dead-letter-topic";
    public static final String PARTITION = "dead-letter-partition";
    public static final String OFFSET = "dead-letter-offset";
    public static final String TRUNCATED = "dead-letter-truncated";
    public static final String ORIGINAL_SIZE = "dead-letter-original-size";
    public static final String SHA256 = "dead-letter-sha256";

    /** {@link #toRecord} limit: the whole value. */
    public static final int WHOLE = Integer.MAX_VALUE;
    /** {@link #toRecord} limit: no key, no original headers, an empty value; only the dead-letter headers. */
    public static final int BARE = -1;

    /** Room for the record and batch framing and header lengths, on top of the bytes themselves. */
    private static final int FRAMING = 256;
    private static final int PER_HEADER = 16;

    public DeadLetter {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(reason, "reason");
        headers = List.copyOf(headers);
    }

    /** The value's length in bytes (0 for a tombstone). */
    public int valueSize() {
        return value == null ? 0 : value.length;
    }

    /**
     * The dead-letter record with the value cut to {@code limit} bytes: {@link #WHOLE} keeps the
     * record unchanged, {@link #BARE} keeps only the dead-letter headers. A cut copy carries
     * {@value #TRUNCATED}, {@value #ORIGINAL_SIZE} and {@value #SHA256} (of the whole value).
     */
    public ProducerRecord<byte[], byte[]> toRecord(String dlqTopic, int limit) {
        RecordHeaders h = new RecordHeaders();
        if (limit != BARE) {
            headers.forEach(h::add);
        }
        h.add(REASON, utf8(reason));
        h.add(TOPIC, utf8(topic));
        h.add(PARTITION, utf8(Integer.toString(partition)));
        h.add(OFFSET, utf8(Long.toString(offset)));
        byte[] v = value;
        if (limit != WHOLE && value != null) {
            v = Arrays.copyOf(value, Math.max(0, Math.min(limit, value.length)));
            h.add(TRUNCATED, utf8("true"));
            h.add(ORIGINAL_SIZE, utf8(Integer.toString(value.length)));
            h.add(SHA256, utf8(sha256(value)));
        }
        return new ProducerRecord<>(dlqTopic, null, limit == BARE ? null : key, v, h);
    }

    /** An upper bound of the size Kafka's producer checks against {@code max.request.size}. */
    public static int estimatedSize(ProducerRecord<byte[], byte[]> r) {
        long size = FRAMING + length(r.key()) + length(r.value());
        for (Header header : r.headers()) {
            size += PER_HEADER + utf8(header.key()).length + length(header.value());
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    /**
     * The first limit to try: the whole record when it fits under {@code maxRequestSize}, else as
     * much of the value as fits beside the key and headers, else {@link #BARE}.
     */
    public int firstLimit(String dlqTopic, int maxRequestSize) {
        if (estimatedSize(toRecord(dlqTopic, WHOLE)) <= maxRequestSize) {
            return WHOLE;
        }
        int room = maxRequestSize - estimatedSize(toRecord(dlqTopic, 0));
        return room >= 0 ? Math.min(room, valueSize()) : BARE;
    }

    /**
     * The limit to try after a copy cut at {@code limit} was refused as too large (the topic's
     * {@code max.message.bytes} is below the producer's limit): half as much value each time, then no
     * value, then {@link #BARE}. Answers {@link #BARE} again once that was refused too.
     */
    public int smallerLimit(int limit) {
        if (limit == BARE || limit == 0) {
            return BARE;
        }
        int half = (limit == WHOLE ? valueSize() : limit) / 2;
        return half < 1024 ? 0 : half;
    }

    private static int length(byte[] b) {
        return b == null ? 0 : b.length;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Copies Kafka headers (the consumer may reuse the originals). */
    public static List<Header> copyOf(Iterable<Header> headers) {
        List<Header> copy = new ArrayList<>();
        if (headers != null) {
            headers.forEach(h -> copy.add(new RecordHeader(h.key(), h.value() == null ? null : h.value().clone())));
        }
        return copy;
    }

    @Override
    public String toString() {
        // Never the value or the key: they may hold anything, secrets included.
        return "DeadLetter[" + topic + "-" + partition + "@" + offset + ", " + valueSize() + " bytes, " + reason + "]";
    }
}
