package dev.hostupiso.worker.testsupport;

import dev.hostupiso.worker.localstack.TopicTail;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads a dead-letter topic as bytes (keys, values and headers exactly as written) in a background
 * thread, from the beginning, and finds a dead letter by the request record it came from.
 */
public final class DeadLetterReader implements AutoCloseable {

    private final TopicTail<byte[], byte[]> tail;

    public DeadLetterReader(String bootstrapServers, String topic) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024));
        tail = new TopicTail<>(consumer, List.of(topic), "dead-letter-reader");
    }

    public List<ConsumerRecord<byte[], byte[]>> records() {
        return List.copyOf(tail.records());
    }

    /** The dead letters of the request record at {@code partition}/{@code offset} of {@code topic}. */
    public List<ConsumerRecord<byte[], byte[]>> of(String topic, int partition, long offset) {
        return tail.records().stream().filter(r -> topic.equals(header(r, "dead-letter-topic"))
                && Integer.toString(partition).equals(header(r, "dead-letter-partition"))
                && Long.toString(offset).equals(header(r, "dead-letter-offset"))).toList();
    }

    public static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        tail.close();
    }
}
