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
    public static final String PROGRESS = "iso-download-progress";
    /** Team {@code team-a}'s request topic; its outcomes and progress go to {@link #TEAM_A_EVENTS}. */
    public static final String TEAM_A_REQUESTS = "team-a-requests";
    public static final String TEAM_A_EVENTS = "team-a-events";
    /** Team {@code team-b}'s request topic; it has no events topic of its own (its outcomes go to {@link #EVENTS}). */
    public static final String TEAM_B_REQUESTS = "team-b-requests";
    /** Team {@code team-c}'s request topic: the team has no key anywhere. */
    public static final String TEAM_C_REQUESTS = "team-c-requests";
    /** A token shaped like a real one, so that a leak would be found by a plain substring search. */
    public static final String TOKEN = "hu_live_9f3Kq2VzX7mN4pR8sT1wY6bC";
    /** Team account {@code team-a}'s key, given as a property. */
    public static final String TEAM_A_TOKEN = "hu_live_teamA0000000000000000001";
    /** Team account {@code team-b}'s key, given as the file {@code team-b} in {@link #accountsDir()}. */
    public static final String TEAM_B_TOKEN = "hu_live_teamB0000000000000000001";
    /** How often the worker re-reads {@link #accountsDir()} in tests. */
    public static final java.time.Duration ACCOUNTS_RELOAD = java.time.Duration.ofSeconds(1);
    private static final Path ACCOUNTS_DIR = Path.of("target", "hostup-accounts");

    private static EmbeddedKafka kafka;
    private static HostUpSimulator simulator;
    private static TopicWatcher watcher;
    private static KafkaProducer<String, String> producer;

    @Override
    public Map<String, String> start() {
        LogCapture.install();
        kafka = EmbeddedKafka.start(Path.of("target", "kafka"));
        kafka.createTopics(Map.of(REQUESTS, 3, EVENTS, 3, DLQ, 1, PROGRESS, 3, TEAM_A_REQUESTS, 2, TEAM_A_EVENTS, 1,
                TEAM_B_REQUESTS, 3, TEAM_C_REQUESTS, 1));
        simulator = HostUpSimulator.start(TOKEN);
        simulator.addToken(TEAM_A_TOKEN, HostUpSimulator.ALL_SCOPES);
        simulator.addToken(TEAM_B_TOKEN, HostUpSimulator.ALL_SCOPES);
        writeAccountKey("team-b", TEAM_B_TOKEN);
        watcher = new TopicWatcher(kafka.bootstrapServers(), EVENTS, DLQ, PROGRESS, TEAM_A_EVENTS);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all"));
        return Map.ofEntries(Map.entry("hostup.accounts.team-c.topics", TEAM_C_REQUESTS), Map.entry(
                "kafka.bootstrap.servers", kafka.bootstrapServers()), Map.entry(
                "hostup.api.url", simulator.baseUrl()), Map.entry(
                "hostup.api.token", TOKEN), Map.entry(
                "hostup.accounts.team-a.token", TEAM_A_TOKEN), Map.entry(
                "hostup.accounts.team-a.topics", TEAM_A_REQUESTS), Map.entry(
                "hostup.accounts.team-a.events-topic", TEAM_A_EVENTS), Map.entry(
                "hostup.accounts.team-b.topics", TEAM_B_REQUESTS), Map.entry(
                "hostup.accounts.dir", ACCOUNTS_DIR.toAbsolutePath().toString()), Map.entry(
                "hostup.accounts.reload-interval", ACCOUNTS_RELOAD.toMillis() + "ms"));
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

    /** The directory of team keys the worker reads ({@code hostup.accounts.dir}). */
    public static Path accountsDir() {
        return ACCOUNTS_DIR;
    }

    /** Writes (or rotates) {@code account}'s key file the way a Secret volume update does: a new file moved into place. */
    public static void writeAccountKey(String account, String token) {
        try {
            java.nio.file.Files.createDirectories(ACCOUNTS_DIR);
            Path tmp = ACCOUNTS_DIR.resolve(".." + account + ".tmp");
            java.nio.file.Files.writeString(tmp, token + "\n");
            java.nio.file.Files.move(tmp, ACCOUNTS_DIR.resolve(account), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
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
        send(REQUESTS, key, value);
    }

    /** Produces a request record on {@code topic} and waits for the broker's ack. */
    public static void send(String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
