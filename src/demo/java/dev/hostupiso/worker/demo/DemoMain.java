package dev.hostupiso.worker.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.localstack.LocalStack;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hostupiso.worker.localstack.TopicWatcher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The README's first command: the worker end to end on one machine with nothing but a JDK and
 * Maven. Starts a real Kafka broker and the HostUp simulator, launches the packaged worker as its
 * own process ({@link LocalStack}), sends a few requests and prints their outcome events.
 */
public final class DemoMain {

    public static void main(String[] args) throws Exception {
        Path buildDir = Path.of(args.length > 0 ? args[0] : "target");
        LocalStack.Options options = new LocalStack.Options(buildDir, buildDir.resolve("demo"), 3, Map.of(
                "ISO_POLL_INITIAL_DELAY", "500ms",
                "ISO_POLL_MAX_DELAY", "2s"), hostup -> {
                    hostup.vps("vps_01demoqueued").jobDuration(Duration.ofSeconds(3));
                    hostup.vps("vps_01demoexists").preexisting("debian-12.12.0-amd64-netinst.iso", "iso_01debian1212");
                    hostup.vps("vps_01demofails").failJobs("the origin server answered 404 Not Found");
                });
        try (LocalStack stack = LocalStack.start(options, DemoMain::say);
             TopicWatcher events = new TopicWatcher(stack.bootstrapServers(), LocalStack.EVENTS);
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            Map<String, String> requests = new LinkedHashMap<>();
            requests.put("demo-1", "{\"requestId\":\"demo-1\",\"vpsId\":\"vps_01demoqueued\",\"url\":\"https://releases.ubuntu.com/24.04/ubuntu-24.04.3-live-server-amd64.iso\",\"filename\":\"ubuntu-24.04.3-live-server-amd64.iso\"}");
            requests.put("demo-2", "{\"requestId\":\"demo-2\",\"vpsId\":\"vps_01demoexists\",\"url\":\"https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/debian-12.12.0-amd64-netinst.iso\",\"filename\":\"debian-12.12.0-amd64-netinst.iso\"}");
            requests.put("demo-3", "{\"requestId\":\"demo-3\",\"vpsId\":\"vps_01demofails\",\"url\":\"https://example.org/missing.iso\",\"filename\":\"missing.iso\"}");
            requests.put("demo-4", "{\"requestId\":\"demo-4\",\"vpsId\":\"vps_01demoqueued\",\"url\":\"ftp://example.org/x.iso\",\"filename\":\"../x.iso\"}");
            for (Map.Entry<String, String> r : requests.entrySet()) {
                producer.send(new ProducerRecord<>(LocalStack.REQUESTS, r.getKey(), r.getValue())).get();
                say("-> request  " + r.getValue());
            }
            ObjectMapper pretty = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Instant deadline = Instant.now().plusSeconds(60);
            for (String id : requests.keySet()) {
                ConsumerRecord<String, String> e = events.awaitKey(LocalStack.EVENTS, id,
                        Duration.between(Instant.now(), deadline));
                say("<- outcome  " + TopicWatcher.header(e, "ce_type") + " (ce_id " + TopicWatcher.header(e, "ce_id") + ")\n"
                        + pretty.writeValueAsString(pretty.readTree(e.value())));
            }
            stack.worker().get("/q/metrics").lines().filter(l -> l.startsWith("isoworker_requests_total"))
                    .forEach(l -> say("   metric  " + l));
            say("HostUp simulator saw " + stack.hostup().calls().size() + " API calls. Stopping.");
        }
        say("Done: four requests, four outcome events.");
    }

    private static void say(String s) {
        System.out.println("[demo] " + s);
    }
}
