package dev.hostupiso.worker.testsupport;

import dev.hostupiso.worker.localstack.EmbeddedKafka;
import dev.hostupiso.worker.localstack.TopicWatcher;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What every {@code @QuarkusTest} runs against: a real KRaft broker in this JVM, the HostUp
 * simulator on a loopback port, a watcher of the output topics and a producer for requests. One
 * instance serves all test classes that declare it (one Quarkus boot per test run).
 */
public class WorkerTestEnvironment implements QuarkusTestResourceLifecycleManager {

    public static final String REQUESTS = "iso-download-requests";
    public static final String EVENTS = "iso-download-events";
    public static final String DLQ = "iso-download-requests-dlq";
    /** A token shaped like a real one, so that a leak would be found by a plain substring search. */
    public static final String TOKEN = "hu_live_9f3Kq2VzX7mN4pR8sT1wY6bC";

    private static EmbeddedKafka kafka;
    private static HostUpSimulator simulator;
    private static TopicWatcher watcher;
    private static KafkaProducer<String, String> producer;

    @Override
    public Map<String, String> start() {
        LogCapture.install();
        kafka = EmbeddedKafka.start(Path.of("target", "kafka"));
        kafka.createTopics(Map.of(REQUESTS, 3, EVENTS, 3, DLQ, 1));
        simulator = HostUpSimulator.start(TOKEN);
        watcher = new TopicWatcher(kafka.bootstrapServers(), EVENTS, DLQ);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all"));
        return Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "hostup.api.url", simulator.baseUrl(),
                "hostup.api.token", TOKEN);
    }

    @Override
    public void stop() {
        try {
            producer.close();
            watcher.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            simulator.close();
            kafka.close();
        }
    }

    public static HostUpSimulator simulator() {
        return simulator;
    }

    public static TopicWatcher watcher() {
        return watcher;
    }

    public static String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Produces a request record and waits for the broker's ack. */
    public static void send(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(REQUESTS, key, value)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
