package dev.hostupiso.worker.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.localstack.EmbeddedKafka;
import dev.hostupiso.worker.localstack.TopicWatcher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.Testcontainers;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.kafka.KafkaContainer;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container image as it ships: built from {@code src/main/docker/Dockerfile.jvm} (its AOT-cache training
 * stage included) after {@code mvn package}, run next to a Kafka container and the HostUp simulator (on this
 * host, reached through {@code host.testcontainers.internal}); a request sent to Kafka comes back completed.
 * Needs a Docker engine; skipped without one.
 */
@org.testcontainers.junit.jupiter.Testcontainers(disabledWithoutDocker = true)
class ContainerImageIT {

    private static final Path DOCKERFILE = Path.of("src", "main", "docker", "Dockerfile.jvm");
    private static final String TOKEN = "container-it-token";
    private static final String VPS = "vps_01containerit";
    private static final String REQUESTS = "iso-download-requests";
    private static final String EVENTS = "iso-download-events";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Network NETWORK = Network.newNetwork();

    /** The broker image of the very Kafka version the Quarkus BOM gives the worker's clients. */
    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:" + AppInfoParser.getVersion())
            .withNetwork(NETWORK)
            .withNetworkAliases("kafka")
            .withListener("kafka:19092");

    private static HostUpSimulator sim;

    @BeforeAll
    static void startSimulator() {
        sim = HostUpSimulator.start(TOKEN);
        sim.vps(VPS).jobDuration(Duration.ofSeconds(2));
        Testcontainers.exposeHostPorts(sim.port());
    }

    @AfterAll
    static void stopSimulator() {
        if (sim != null) {
            sim.close();
        }
        NETWORK.close();
    }

    @Test
    void theImageBuiltFromTheDockerfileCompletesARequest() throws Exception {
        EmbeddedKafka.createTopics(KAFKA.getBootstrapServers(), Map.of(REQUESTS, 3, EVENTS, 3, "iso-download-requests-dlq", 1));
        try (GenericContainer<?> worker = new GenericContainer<>(image())
                .withNetwork(NETWORK)
                .withEnv("KAFKA_BOOTSTRAP_SERVERS", "kafka:19092")
                .withEnv("HOSTUP_API_URL", "http://" + GenericContainer.INTERNAL_HOST_HOSTNAME + ":" + sim.port())
                .withEnv("HOSTUP_API_TOKEN", TOKEN)
                .withEnv("ISO_POLL_INITIAL_DELAY", "500ms")
                .withEnv("ISO_POLL_MAX_DELAY", "2s")
                .withExposedPorts(8080)
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("worker-container")))
                .waitingFor(Wait.forHttp("/q/health/ready").forPort(8080).withStartupTimeout(Duration.ofMinutes(3)));
             TopicWatcher events = new TopicWatcher(KAFKA.getBootstrapServers(), EVENTS);
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers(),
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            worker.start();

            String request = JSON.createObjectNode().put("requestId", "container-1").put("vpsId", VPS)
                    .put("url", "https://releases.example.org/ubuntu-24.04.3-live-server-amd64.iso")
                    .put("filename", "ubuntu-24.04.3-live-server-amd64.iso").toString();
            producer.send(new ProducerRecord<>(REQUESTS, "container-1", request)).get(30, TimeUnit.SECONDS);

            ConsumerRecord<String, String> event = events.awaitKey(EVENTS, "container-1", Duration.ofSeconds(60));
            JsonNode outcome = JSON.readTree(event.value());
            assertThat(outcome.get("status").asText()).as(event.value()).isEqualTo("completed");
            assertThat(outcome.get("isoId").asText()).startsWith("iso_");
            assertThat(TopicWatcher.header(event, "ce_type")).isEqualTo("dev.hostupiso.iso.download.completed");
            assertThat(sim.count(VPS, Endpoint.FROM_URL)).as("from-url calls the containerised worker made").isEqualTo(1);
        }
    }

    /**
     * The image from the Dockerfile, with only what its {@code COPY} lines read as the build context
     * ({@code target/} holds much else: test data, logs, benchmark output).
     */
    private static ImageFromDockerfile image() throws IOException {
        ImageFromDockerfile image = new ImageFromDockerfile("hostup-iso-worker-it", true)
                .withDockerfilePath(DOCKERFILE.toString())
                .withFileFromPath(DOCKERFILE.toString(), DOCKERFILE);
        for (String root : contextRoots()) {
            Path dir = Path.of(root);
            assertThat(dir).as("%s is missing: run 'mvn package' first", root).isDirectory();
            image.withFileFromPath(root, dir);
        }
        return image;
    }

    /** {@code target/<dir>} of every source the Dockerfile copies from the build context. */
    private static TreeSet<String> contextRoots() throws IOException {
        TreeSet<String> roots = new TreeSet<>();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            List<String> words = new ArrayList<>(Arrays.asList(line.trim().split("\\s+")));
            if (words.isEmpty() || !words.get(0).equals("COPY") || words.stream().anyMatch(w -> w.startsWith("--from"))) {
                continue;
            }
            for (String source : words.subList(1, words.size() - 1)) {
                String[] parts = source.split("/");
                assertThat(parts).as("COPY source %s is not under target/", source).hasSizeGreaterThan(1);
                assertThat(parts[0]).as("COPY source %s", source).isEqualTo("target");
                roots.add(parts[0] + "/" + parts[1]);
            }
        }
        assertThat(roots).as("context of %s", DOCKERFILE).contains("target/quarkus-app", "target/aot-training");
        return roots;
    }
}
