package dev.hostupiso.worker.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Kafka clients of the benchmark: topic creation, the request producer, outcome watchers, the passthrough relay. */
final class Kafka {

    private Kafka() {
    }

    static void createTopics(String bootstrap, int partitions, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> list = new ArrayList<>();
            for (String t : topics) {
                list.add(new NewTopic(t, partitions, (short) 1));
            }
            admin.createTopics(list).all().get();
        }
    }

    /** The requester's producer: defaults of a well-behaved client (acks=all, idempotent), small linger. */
    static KafkaProducer<String, String> producer(String bootstrap) {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        c.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(c);
    }

    static String requestId(String prefix, int i) {
        return String.format(Locale.ROOT, "%s-%06d", prefix, i);
    }

    /** A request as the README shows it (≈ 200 bytes). */
    static String request(String requestId, String vpsId, int i) {
        String file = String.format(Locale.ROOT, "bench-image-%06d.iso", i);
        return "{\"requestId\":\"" + requestId + "\",\"vpsId\":\"" + vpsId
                + "\",\"url\":\"https://releases.example.org/images/" + file + "\",\"filename\":\"" + file
                + "\",\"decompress\":\"none\"}";
    }

    /** An outcome event of the same size and headers as the worker's (binary-mode CloudEvent). */
    static ProducerRecord<String, String> outcomeLike(String topic, String requestId) {
        String value = "{\"requestId\":\"" + requestId + "\",\"vpsId\":\"vps_bench_000000\",\"filename\":\"bench-image-000000.iso\","
                + "\"status\":\"completed\",\"isoId\":\"iso_0123456789abcdefghjkmnpqrs\",\"jobId\":\"job_0123456789abcdefghjkmnpqrs\","
                + "\"alreadyExisted\":false,\"attempts\":1,\"submittedAt\":\"2026-11-27T10:00:00.123456Z\","
                + "\"finishedAt\":\"2026-11-27T10:00:00.223456Z\"}";
        RecordHeaders h = new RecordHeaders();
        h.add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
        h.add("ce_id", "6f1c2a8e-3b1d-5c7e-9f00-123456789abc".getBytes(StandardCharsets.UTF_8));
        h.add("ce_type", "dev.hostupiso.iso.download.completed".getBytes(StandardCharsets.UTF_8));
        h.add("ce_source", "/hostup-iso-worker".getBytes(StandardCharsets.UTF_8));
        h.add("ce_subject", requestId.getBytes(StandardCharsets.UTF_8));
        h.add("ce_time", "2026-11-27T10:00:00.223456Z".getBytes(StandardCharsets.UTF_8));
        h.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, requestId, value, h);
    }

    static KafkaConsumer<String, String> assigned(String bootstrap, String topic) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000"));
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(topic, p.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /**
     * Reads a topic from the beginning (no group) and stamps each record's arrival: System.nanoTime (for rates
     * within this JVM) and epoch microseconds (to compare with other processes' clocks on this machine).
     */
    static final class Watcher implements AutoCloseable {
        final Map<String, long[]> arrivals = new ConcurrentHashMap<>(); // key -> {nanoTime, epochMicros}
        final Map<String, String> types = new ConcurrentHashMap<>();
        final AtomicLong count = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        Watcher(String bootstrap, String topic) {
            KafkaConsumer<String, String> consumer = assigned(bootstrap, topic);
            consumer.poll(Duration.ZERO);
            thread = new Thread(() -> {
                try (consumer) {
                    while (running) {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(20))) {
                            long nanos = System.nanoTime();
                            long micros = epochMicros();
                            arrivals.putIfAbsent(r.key(), new long[] {nanos, micros});
                            var t = r.headers().lastHeader("ce_type");
                            if (t != null) {
                                types.put(r.key(), new String(t.value(), StandardCharsets.UTF_8));
                            }
                            count.incrementAndGet();
                        }
                    }
                }
            }, "watcher-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits until {@code n} distinct keys arrived; false on timeout. */
        boolean await(int n, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (arrivals.size() < n) {
                if (System.nanoTime() > end) {
                    return false;
                }
                Thread.sleep(20);
            }
            return true;
        }

        long[] sortedNanos() {
            return arrivals.values().stream().mapToLong(a -> a[0]).sorted().toArray();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5000);
        }
    }

    /**
     * A plain consumer that answers each record with an outcome-sized record through a producer configured like the
     * worker's (acks=all, idempotent): the broker's share of one job, without any work in between.
     */
    static final class Relay implements AutoCloseable {
        private final Thread thread;
        private volatile boolean running = true;

        Relay(String bootstrap, String in, String out) {
            KafkaConsumer<String, String> consumer = assigned(bootstrap, in);
            KafkaProducer<String, String> producer = producer(bootstrap);
            consumer.poll(Duration.ZERO);
            thread = new Thread(() -> {
                try (consumer; producer) {
                    while (running) {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(20))) {
                            producer.send(outcomeLike(out, r.key()));
                        }
                    }
                }
            }, "relay");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10000);
        }
    }

    static long epochMicros() {
        java.time.Instant t = java.time.Instant.now();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}
