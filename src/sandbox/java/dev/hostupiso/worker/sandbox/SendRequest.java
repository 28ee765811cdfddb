package dev.hostupiso.worker.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox's bundled sender, so no kcat is needed: {@code send-request <scenario|vpsId> [filename] [url]}
 * sends one ISO download request keyed by its requestId. A scenario word ({@code slow}, {@code fail},
 * {@code ratelimited}, {@code flaky}, {@code redirect}, {@code notfound}, {@code normal}) becomes a fresh VPS id
 * with that scenario's prefix; anything else is used as the VPS id as it is.
 */
public final class SendRequest {

    static final String DEFAULT_FILENAME = "ubuntu-24.04.3-live-server-amd64.iso";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SendRequest() {
    }

    /** A request as the worker reads it. */
    public record Request(String requestId, String vpsId, String url, String filename) {
        public String json() {
            return JSON.createObjectNode().put("requestId", requestId).put("vpsId", vpsId).put("url", url)
                    .put("filename", filename).toString();
        }
    }

    /** The word that names {@code s} on the command line: its prefix without {@code vps_}, or {@code normal}. */
    public static String word(Scenario s) {
        return s == Scenario.NORMAL ? "normal" : s.prefix().substring("vps_".length());
    }

    /** The request for a scenario word or VPS id; {@code filename} and {@code url} may be null (defaults). */
    public static Request request(String scenarioOrVpsId, String filename, String url, Random random) {
        String suffix = Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
        String vpsId = scenarioOrVpsId;
        for (Scenario s : Scenario.values()) {
            if (word(s).equals(scenarioOrVpsId.toLowerCase(Locale.ROOT))) {
                vpsId = (s == Scenario.NORMAL ? "vps_sandbox" : s.prefix()) + "_" + suffix;
            }
        }
        String name = filename == null ? DEFAULT_FILENAME : filename;
        return new Request("sandbox-" + suffix, vpsId, url == null ? "https://releases.example.org/" + name : url, name);
    }

    /** Sends {@code r} to the request topic, keyed by its requestId, and waits for the broker's acknowledgement. */
    public static RecordMetadata send(String bootstrapServers, String topic, Request r) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all"))) {
            return producer.send(new ProducerRecord<>(topic, r.requestId(), r.json())).get(30, TimeUnit.SECONDS);
        }
    }

    /** {@code SendRequest <bootstrap> <topic> <scenario|vpsId> [filename] [url]} (the sandbox's script fills in the first two). */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: send-request <scenario|vpsId> [filename] [url]\n  scenarios: "
                    + String.join(" ", java.util.Arrays.stream(Scenario.values()).map(SendRequest::word).toList()));
            System.exit(2);
        }
        Request r = request(args[2], args.length > 3 ? args[3] : null, args.length > 4 ? args[4] : null, new Random());
        RecordMetadata m = send(args[0], args[1], r);
        System.out.println("sent " + r.json() + "\n  to " + m.topic() + "-" + m.partition() + "@" + m.offset()
                + " (scenario " + word(Scenario.of(r.vpsId())) + ")");
    }
}
