package dev.hostupiso.worker.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.testsupport.EmbeddedKafka;
import dev.hostupiso.worker.testsupport.TopicWatcher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The README's first command: the worker end to end on one machine with nothing but a JDK and
 * Maven. Starts a real Kafka broker and the HostUp simulator, launches the packaged worker as its
 * own process, sends a few requests and prints their outcome events.
 */
public final class DemoMain {

    private static final String TOKEN = "demo-token-not-a-real-key";

    public static void main(String[] args) throws Exception {
        Path buildDir = Path.of(args.length > 0 ? args[0] : "target");
        Path work = Files.createDirectories(buildDir.resolve("demo"));
        say("Starting a Kafka broker (Apache Kafka KRaft, in this JVM)...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             HostUpSimulator hostup = HostUpSimulator.start(TOKEN)) {
            kafka.createTopics(Map.of("iso-download-requests", 3, "iso-download-events", 3, "iso-download-requests-dlq", 1));
            say("Kafka at " + kafka.bootstrapServers() + "; HostUp simulator at " + hostup.baseUrl());
            hostup.vps("vps_01demoqueued").jobDuration(Duration.ofSeconds(3));
            hostup.vps("vps_01demoexists").preexisting("debian-12.12.0-amd64-netinst.iso", "iso_01debian1212");
            hostup.vps("vps_01demofails").failJobs("the origin server answered 404 Not Found");

            Path log = work.resolve("worker.log");
            say("Starting the worker (target/quarkus-app/quarkus-run.jar), log in " + log);
            try (WorkerProcess worker = WorkerProcess.start(buildDir, Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "HOSTUP_API_URL", hostup.baseUrl(),
                    "HOSTUP_API_TOKEN", TOKEN,
                    "ISO_POLL_INITIAL_DELAY", "500ms",
                    "ISO_POLL_MAX_DELAY", "2s"), List.of("-Xmx256m"), log);
                 TopicWatcher events = new TopicWatcher(kafka.bootstrapServers(), "iso-download-events");
                 KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                         ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                         ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
                Duration ready = worker.awaitReady(Duration.ofSeconds(60));
                say("Worker ready in " + ready.toMillis() + " ms (http://127.0.0.1:" + worker.httpPort() + "/q/health)");

                Map<String, String> requests = new LinkedHashMap<>();
                requests.put("demo-1", "{\"requestId\":\"demo-1\",\"vpsId\":\"vps_01demoqueued\",\"url\":\"https://releases.ubuntu.com/24.04/ubuntu-24.04.3-live-server-amd64.iso\",\"filename\":\"ubuntu-24.04.3-live-server-amd64.iso\"}");
                requests.put("demo-2", "{\"requestId\":\"demo-2\",\"vpsId\":\"vps_01demoexists\",\"url\":\"https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/debian-12.12.0-amd64-netinst.iso\",\"filename\":\"debian-12.12.0-amd64-netinst.iso\"}");
                requests.put("demo-3", "{\"requestId\":\"demo-3\",\"vpsId\":\"vps_01demofails\",\"url\":\"https://example.org/missing.iso\",\"filename\":\"missing.iso\"}");
                requests.put("demo-4", "{\"requestId\":\"demo-4\",\"vpsId\":\"vps_01demoqueued\",\"url\":\"ftp://example.org/x.iso\",\"filename\":\"../x.iso\"}");
                for (Map.Entry<String, String> r : requests.entrySet()) {
                    producer.send(new ProducerRecord<>("iso-download-requests", r.getKey(), r.getValue())).get();
                    say("-> request  " + r.getValue());
                }
                ObjectMapper pretty = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                Instant deadline = Instant.now().plusSeconds(60);
                for (String id : requests.keySet()) {
                    ConsumerRecord<String, String> e = events.awaitKey("iso-download-events", id,
                            Duration.between(Instant.now(), deadline));
                    say("<- outcome  " + TopicWatcher.header(e, "ce_type") + " (ce_id " + TopicWatcher.header(e, "ce_id") + ")\n"
                            + pretty.writeValueAsString(pretty.readTree(e.value())));
                }
                worker.get("/q/metrics").lines().filter(l -> l.startsWith("isoworker_requests_total"))
                        .forEach(l -> say("   metric  " + l));
                say("HostUp simulator saw " + hostup.calls().size() + " API calls. Stopping.");
            }
        }
        say("Done: four requests, four outcome events.");
    }

    private static void say(String s) {
        System.out.println("[demo] " + s);
    }
}
