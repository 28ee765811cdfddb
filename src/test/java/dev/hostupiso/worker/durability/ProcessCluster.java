package dev.hostupiso.worker.durability;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.localstack.WorkerProcess;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.localstack.LocalStack;
import dev.hostupiso.worker.localstack.KafkaBrokerProcess;
import dev.hostupiso.worker.localstack.TopicWatcher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real deployment on one machine for the durability tests, on the {@link LocalStack}: a KRaft broker, the HostUp
 * simulator, and packaged worker processes (separate JVMs, killable with SIGKILL) in one consumer group.
 */
final class ProcessCluster implements AutoCloseable {

    static final String REQUESTS = "iso-download-requests";
    static final String EVENTS = "iso-download-events";
    static final String TOKEN = "durability-test-token";
    static final ObjectMapper JSON = new ObjectMapper();

    final LocalStack stack;
    final KafkaBrokerProcess brokerProcess;
    private final String bootstrap;
    final HostUpSimulator sim;
    final TopicWatcher events;
    private final KafkaProducer<String, String> producer;
    private final Path dir;
    private int started;

    /**
     * @param restartableBroker run the broker as its own process on fixed ports (for restart tests)
     *                          instead of in this JVM
     */
    ProcessCluster(String name, int partitions, boolean restartableBroker) throws Exception {
        dir = Files.createDirectories(Path.of("target", "it", name));
        LocalStack.Builder builder = LocalStack.builder(dir).token(TOKEN).partitions(partitions, 3);
        stack = (restartableBroker ? builder.restartableBroker() : builder).start(line -> { });
        brokerProcess = stack.brokerProcess();
        bootstrap = stack.bootstrapServers();
        sim = stack.hostup();
        events = new TopicWatcher(bootstrap, EVENTS);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all"));
    }

    /** Starts one more worker process and waits until it is ready. */
    WorkerProcess startWorker() throws Exception {
        WorkerProcess w = launchWorker(Map.of());
        w.awaitReady(java.time.Duration.ofSeconds(90));
        return w;
    }

    /** Launches a worker with {@code overrides} (an empty value removes a variable), without waiting. */
    WorkerProcess launchWorker(Map<String, String> overrides) throws Exception {
        return launchWorker(overrides, Path.of(System.getProperty("java.home")), List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"));
    }

    /** {@link #launchWorker(Map)} on the JDK at {@code javaHome}, with {@code jvmOptions}. */
    WorkerProcess launchWorker(Map<String, String> overrides, Path javaHome, List<String> jvmOptions) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "ISO_POLL_INITIAL_DELAY", "300ms",
                "ISO_POLL_MAX_DELAY", "1s",
                "ISO_JOB_TIMEOUT", "10m",
                // Above the longest job of these tests (20 s): a job whose owner was killed between recording
                // SUBMITTING and recording from-url's answer is then settled from the library, or queued again, in
                // seconds rather than the production default's 10 minutes.
                "ISO_SUBMIT_AMBIGUITY_WINDOW", "30s",
                // A killed instance's partitions move after this long.
                "KAFKA_SESSION_TIMEOUT_MS", "6000",
                "KAFKA_HEARTBEAT_INTERVAL_MS", "1000"));
        env.putAll(overrides);
        return stack.launchWorker(javaHome, WorkerProcess.packagedJar(Path.of("target")), env, jvmOptions,
                dir.resolve("worker-" + (++started) + ".log"));
    }

    String bootstrapServers() {
        return bootstrap;
    }

    void send(String requestId, String vpsId, String filename) throws Exception {
        String value = JSON.createObjectNode().put("requestId", requestId).put("vpsId", vpsId)
                .put("url", "https://releases.example.org/" + filename).put("filename", filename).toString();
        producer.send(new ProducerRecord<>(REQUESTS, requestId, value)).get(60, TimeUnit.SECONDS);
    }

    /** Sends a request that asks for the downloaded ISO to be mounted on {@code device}. */
    void sendWithMount(String requestId, String vpsId, String filename, String device) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode value = JSON.createObjectNode().put("requestId", requestId)
                .put("vpsId", vpsId).put("url", "https://releases.example.org/" + filename).put("filename", filename);
        value.putObject("mount").put("device", device);
        producer.send(new ProducerRecord<>(REQUESTS, requestId, value.toString())).get(60, TimeUnit.SECONDS);
    }

    /** requestId → outcome events seen for it. */
    Map<String, List<ConsumerRecord<String, String>>> outcomes() {
        return events.records(EVENTS).stream().collect(Collectors.groupingBy(ConsumerRecord::key));
    }

    /**
     * Waits until every request of {@code ids} has an outcome, then (after a grace period in which a
     * duplicate would show) asserts each has exactly one, completed, and that HostUp saw exactly one
     * from-url for it ({@code vpsOf} maps a requestId to its VPS).
     */
    void assertExactlyOneCompletedOutcomeEach(List<String> ids, java.util.function.Function<String, String> vpsOf,
                                              java.time.Duration timeout) throws InterruptedException {
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(java.time.Duration.ofMillis(500))
                .until(() -> outcomes().keySet().containsAll(ids));
        Thread.sleep(3000);
        Map<String, List<ConsumerRecord<String, String>>> outcomes = outcomes();
        for (String id : ids) {
            org.assertj.core.api.Assertions.assertThat(outcomes.get(id)).as("outcomes of %s", id).hasSize(1);
            org.assertj.core.api.Assertions.assertThat(status(outcomes.get(id).get(0))).as("status of %s", id).isEqualTo("completed");
            org.assertj.core.api.Assertions.assertThat(sim.count(vpsOf.apply(id), dev.hostupiso.worker.simulator.Endpoint.FROM_URL))
                    .as("from-url calls for %s", id).isEqualTo(1);
        }
    }

    static String status(ConsumerRecord<String, String> r) {
        try {
            return JSON.readTree(r.value()).get("status").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Lines of a worker's log that contain {@code text}. */
    static long logLines(WorkerProcess w, String text) throws Exception {
        try (var lines = Files.lines(w.log())) {
            return lines.filter(l -> l.contains(text)).count();
        }
    }

    @Override
    public void close() throws Exception {
        producer.close();
        events.close();
        stack.close();
    }
}
