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

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The README's first command: the worker end to end on one machine with nothing but a JDK and
 * Maven. Starts a real Kafka broker and the HostUp simulator, launches the packaged worker as its
 * own process ({@link LocalStack}), sends a few requests and prints their outcome events, and the
 * progress events of the download that runs.
 */
public final class DemoMain {

    /** The worker's default progress topic (created by the worker at start-up). */
    static final String PROGRESS = "iso-download-progress";

    public static void main(String[] args) throws Exception {
        Path buildDir = Path.of(args.length > 0 ? args[0] : "target");
        // The download links point at a loopback origin: the worker's URL preflight probes them, and
        // nothing (not even a DNS lookup) leaves the machine. Its "latest" link redirects, as most ISO links do.
        HttpServer origin = origin();
        String mirror = "http://127.0.0.1:" + origin.getAddress().getPort();
        LocalStack.Options options = new LocalStack.Options(buildDir, buildDir.resolve("demo"), 3, Map.of(
                "ISO_URL_PREFLIGHT", "resolve",
                "ISO_URL_PREFLIGHT_ALLOW", "127.0.0.1:" + origin.getAddress().getPort(),
                "ISO_POLL_INITIAL_DELAY", "500ms",
                "ISO_POLL_MAX_DELAY", "2s"), hostup -> {
                    hostup.vps("vps_01demoqueued").jobDuration(Duration.ofSeconds(3));
                    hostup.vps("vps_01demoexists").preexisting("debian-12.12.0-amd64-netinst.iso", "iso_01debian1212");
                    hostup.vps("vps_01demofails").failJobs("the origin server answered 404 Not Found");
                });
        try (LocalStack stack = LocalStack.start(options, DemoMain::say);
             TopicWatcher events = new TopicWatcher(stack.bootstrapServers(), LocalStack.EVENTS, PROGRESS);
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            Map<String, String> requests = new LinkedHashMap<>();
            requests.put("demo-1", "{\"requestId\":\"demo-1\",\"vpsId\":\"vps_01demoqueued\",\"url\":\"" + mirror + "/ubuntu/24.04/latest.iso\",\"filename\":\"ubuntu-24.04.3-live-server-amd64.iso\",\"mount\":{\"device\":\"ide2\"}}");
            requests.put("demo-2", "{\"requestId\":\"demo-2\",\"vpsId\":\"vps_01demoexists\",\"url\":\"" + mirror + "/debian-cd/current/amd64/iso-cd/debian-12.12.0-amd64-netinst.iso\",\"filename\":\"debian-12.12.0-amd64-netinst.iso\"}");
            requests.put("demo-3", "{\"requestId\":\"demo-3\",\"vpsId\":\"vps_01demofails\",\"url\":\"" + mirror + "/missing.iso\",\"filename\":\"missing.iso\"}");
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
                for (ConsumerRecord<String, String> p : events.records(PROGRESS, id)) {
                    say("<- progress " + TopicWatcher.header(p, "ce_type") + " " + p.value());
                }
                say("<- outcome  " + TopicWatcher.header(e, "ce_type") + " (ce_id " + TopicWatcher.header(e, "ce_id") + ")\n"
                        + pretty.writeValueAsString(pretty.readTree(e.value())));
            }
            stack.worker().get("/q/metrics").lines().filter(l -> l.startsWith("isoworker_requests_total"))
                    .forEach(l -> say("   metric  " + l));
            say("HostUp simulator saw " + stack.hostup().calls().size() + " API calls. Stopping.");
        }
        finally {
            origin.stop(0);
        }
        say("Done: four requests, four outcome events.");
    }

    /**
     * A download mirror on 127.0.0.1: {@code /ubuntu/24.04/latest.iso} redirects to a signed link (as
     * a CDN would), every other {@code .iso} answers 200.
     */
    private static HttpServer origin() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/ubuntu/24.04/latest.iso")) {
                exchange.getResponseHeaders().add("Location",
                        "/ubuntu/24.04.3/ubuntu-24.04.3-live-server-amd64.iso?Expires=1796000000&Signature=demo-signature");
                exchange.sendResponseHeaders(302, -1);
            } else if (path.endsWith(".iso")) {
                exchange.getResponseHeaders().add("Content-Range", "bytes 0-0/3213064192");
                exchange.sendResponseHeaders(exchange.getRequestMethod().equals("GET") ? 206 : 200, -1);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        server.start();
        return server;
    }

    private static void say(String s) {
        System.out.println("[demo] " + s);
    }
}
