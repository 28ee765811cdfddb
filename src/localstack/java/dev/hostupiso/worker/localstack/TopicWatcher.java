package dev.hostupiso.worker.localstack;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.awaitility.Awaitility;

/**
 * Reads topics from the beginning in a background thread (an independent consumer, with
 * {@code assign()}: no group, no rebalance) and keeps every record for assertions.
 */
public final class TopicWatcher implements AutoCloseable {

    private final TopicTail<String, String> tail;

    public TopicWatcher(String bootstrapServers, String... topics) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                // Outcomes are written in transactions: see only committed ones, as real consumers should.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        tail = new TopicTail<>(consumer, List.of(topics), "topic-watcher");
    }

    public List<ConsumerRecord<String, String>> records(String topic) {
        return tail.records().stream().filter(r -> r.topic().equals(topic)).toList();
    }

    public List<ConsumerRecord<String, String>> records(String topic, String key) {
        return tail.records().stream().filter(r -> r.topic().equals(topic) && key.equals(r.key())).toList();
    }

    /** Waits for the first record of {@code topic} matching {@code filter}. */
    public ConsumerRecord<String, String> await(String topic, Duration timeout, Predicate<ConsumerRecord<String, String>> filter) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50))
                .until(() -> tail.records().stream().anyMatch(r -> r.topic().equals(topic) && filter.test(r)));
        return tail.records().stream().filter(r -> r.topic().equals(topic) && filter.test(r)).findFirst().orElseThrow();
    }

    public ConsumerRecord<String, String> awaitKey(String topic, String key, Duration timeout) {
        return await(topic, timeout, r -> key.equals(r.key()));
    }

    public static String header(ConsumerRecord<String, String> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        tail.close();
    }
}
