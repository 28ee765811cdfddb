package dev.hostupiso.worker.durability;

import dev.hostupiso.worker.testsupport.WorkerLogsOnFailure;
import org.junit.jupiter.api.extension.ExtendWith;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostupiso.worker.localstack.WorkerProcess;
import dev.hostupiso.worker.testsupport.DeadLetterReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thousands of hostile request records, interleaved with valid ones, sent to the packaged worker
 * (its own JVM) through a real broker: random bytes, values that are not UTF-8, JSON that is not an
 * object, wrong types, deep nesting, Unicode and control characters, duplicate JSON keys (dead-lettered:
 * the record does not say which requestId to answer), missing and invalid requestIds, a 600 KB field, a 900 KB and a 1.5 MB value. Every record is accounted
 * for: a record with a valid requestId gets exactly one outcome (completed if valid, failed
 * {@code invalid_request} otherwise); any other gets exactly one dead letter, matched by its
 * {@code dead-letter-partition}/{@code dead-letter-offset}, holding the original bytes (or a
 * truncated copy that says so). The worker stays alive and answers a valid request promptly after.
 * The seed is printed; {@code -Dfuzz.seed=N} replays a run.
 */
@ExtendWith(WorkerLogsOnFailure.class)
class HostileRecordsFuzzIT {

    static final String DLQ = "iso-download-requests-dlq";
    static final int RECORDS = 2_500;
    static final int VPSS = 40;
    static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;

    /** What the worker must do with a record. */
    sealed interface Expect permits Dead, Answer {
    }

    /** A dead letter, whole, or truncated when the record is larger than the dead-letter topic takes. */
    record Dead(boolean truncated) implements Expect {
    }

    /** Exactly one outcome with {@code status} under one of {@code ids}. */
    record Answer(Set<String> ids, String status) implements Expect {
    }

    record Case(String kind, byte[] key, byte[] value, List<Header> headers, Expect expect) {
    }

    record Sent(Case c, RecordMetadata where) {
    }

    private final long seed = Long.getLong("fuzz.seed", System.nanoTime());
    private final Random random = new Random(seed);

    @Test
    void everyHostileRecordIsAnsweredOrDeadLetteredExactlyOnceAndTheWorkerGoesOn() throws Exception {
        System.out.println("HostileRecordsFuzzIT seed=" + seed);
        try (ProcessCluster cluster = new ProcessCluster("fuzz", 3, false)) {
            allowLargeRequests(cluster.bootstrapServers());
            for (int v = 0; v < VPSS; v++) {
                cluster.sim.vps(vps(v));
            }
            WorkerProcess worker = cluster.startWorker();
            List<Case> cases = cases();
            List<Sent> sent = new ArrayList<>();
            Instant start = Instant.now();
            try (KafkaProducer<byte[], byte[]> producer = bytesProducer(cluster.bootstrapServers());
                 DeadLetterReader dlq = new DeadLetterReader(cluster.bootstrapServers(), DLQ)) {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (Case c : cases) {
                    acks.add(producer.send(new ProducerRecord<>(ProcessCluster.REQUESTS, null, c.key(), c.value(), c.headers())));
                }
                for (int i = 0; i < cases.size(); i++) {
                    sent.add(new Sent(cases.get(i), acks.get(i).get(60, TimeUnit.SECONDS)));
                }
                System.out.printf("sent %d records (%s) in %s%n", sent.size(), countByKind(cases), Duration.between(start, Instant.now()));

                awaitAccounted(cluster, dlq, sent, Duration.ofSeconds(90));
                System.out.printf("all accounted for after %s%n", Duration.between(start, Instant.now()));
                Thread.sleep(3000); // a duplicate outcome or dead letter would show by now
                assertExactlyOnce(cluster, dlq, sent);

                assertThat(worker.isAlive()).isTrue();
                assertThat(worker.get("/q/health/live")).contains("\"UP\"");
                long deadCount = sent.stream().filter(s -> s.c().expect() instanceof Dead).count();
                assertThat(worker.get("/q/metrics"))
                        .containsPattern("isoworker_requests_total\\{code=\"poison\",outcome=\"dead_lettered\",?} " + deadCount + "\\.0\n");

                String probe = "fz-probe";
                Instant probeSent = Instant.now();
                cluster.send(probe, vps(0), "probe.iso");
                cluster.events.awaitKey(ProcessCluster.EVENTS, probe, Duration.ofSeconds(20));
                System.out.printf("a valid request after the storm completed in %s%n", Duration.between(probeSent, Instant.now()));
                assertThat(ProcessCluster.status(cluster.outcomes().get(probe).get(0))).isEqualTo("completed");
            }
        }
    }

    // ------------------------------------------------------------------------------ what is sent

    private List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        int i = 0;
        while (cases.size() < RECORDS) {
            String rid = "fz-" + i++;
            int roll = random.nextInt(100);
            if (roll < 20) {
                cases.add(valid(rid));
            } else if (roll < 40) {
                cases.add(contractBreaker(rid));
            } else {
                cases.add(unanswerable(rid));
            }
        }
        Collections.shuffle(cases, random);
        // The huge ones at known places, between ordinary traffic.
        cases.add(RECORDS / 4, new Case("value of 900 KB random bytes", null, bytes(900 * 1024), List.of(), new Dead(false)));
        cases.add(RECORDS / 2, new Case("value of 1.5 MB random bytes", bytes(16), bytes(1536 * 1024), List.of(), new Dead(true)));
        String big = "fz-huge-vps";
        cases.add(3 * RECORDS / 4, answer("vpsId of 600 KB", null,
                json(request(big, vps(1), "huge.iso").put("vpsId", "v".repeat(600 * 1024))), big, "failed"));
        return cases;
    }

    private Case valid(String rid) {
        ObjectNode r = request(rid, vps(random.nextInt(VPSS)), rid + ".iso");
        String kind;
        switch (random.nextInt(6)) {
            case 0 -> kind = "valid";
            case 1 -> {
                kind = "valid with Unicode and control characters in unknown fields";
                r.put("note", "Grüße 🚀 \u202e\u0000\u0007\u001b[31m \uD83D\uDE00 ﷽ " + new String(Character.toChars(0x10FFFF)));
            }
            case 2 -> {
                kind = "valid with nested unknown fields";
                r.set("meta", nested(200, "leaf"));
            }
            case 3 -> {
                kind = "valid with a signed URL";
                r.put("url", "https://u:p@releases.example.org/dl/" + HexFormat.of().formatHex(bytes(16)) + "/" + rid + ".iso?sig=abc");
            }
            case 4 -> {
                // Which requestId would it answer? The record is ambiguous: the parser refuses duplicate keys.
                kind = "valid with duplicate JSON keys";
                String text = json(r);
                text = text.substring(0, text.length() - 1) + ",\"requestId\":\"" + rid + "-dup\"}";
                return dead(kind, text.getBytes(StandardCharsets.UTF_8));
            }
            default -> {
                kind = "valid with a binary key and headers";
                return new Case(kind, bytes(1 + random.nextInt(64)), json(r).getBytes(StandardCharsets.UTF_8),
                        List.of(new RecordHeader("trace", bytes(12)), new RecordHeader("Ünïcode", null)),
                        new Answer(Set.of(rid), "completed"));
            }
        }
        return answer(kind, null, json(r), rid, "completed");
    }

    private Case contractBreaker(String rid) {
        ObjectNode r = request(rid, vps(random.nextInt(VPSS)), rid + ".iso");
        String kind = switch (random.nextInt(10)) {
            case 0 -> {
                r.put("vpsId", 12345);
                yield "vpsId is a number";
            }
            case 1 -> {
                r.putObject("url").put("href", "https://x/y.iso");
                yield "url is an object";
            }
            case 2 -> {
                r.putArray("filename").add("x.iso");
                yield "filename is an array";
            }
            case 3 -> {
                r.put("decompress", true);
                yield "decompress is a boolean";
            }
            case 4 -> {
                r.remove(List.of("vpsId", "url", "filename"));
                yield "only a requestId";
            }
            case 5 -> {
                r.put("filename", "evil\u0001\u001f" + rid + ".iso");
                yield "control characters in the filename";
            }
            case 6 -> {
                r.put("vpsId", "vps_ünïcødé_🚀");
                yield "Unicode vpsId";
            }
            case 7 -> {
                r.put("url", random.nextBoolean() ? "ftp://mirror.example.org/x.iso" : "https://exa mple.org/\u0000x.iso");
                yield "bad url";
            }
            case 8 -> {
                r.set("vpsId", nested(300, "deep"));
                yield "vpsId nested 300 deep";
            }
            default -> {
                r.put("filename", "../../" + "a".repeat(random.nextInt(300)) + ".iso");
                yield "path in the filename";
            }
        };
        return answer(kind, null, json(r), rid, "failed");
    }

    private Case unanswerable(String rid) {
        String valid = json(request(rid, vps(0), rid + ".iso"));
        return switch (random.nextInt(14)) {
            case 0, 1 -> dead("random bytes", bytes(random.nextInt(4096)));
            case 2 -> {
                // A request with a valid requestId but a field that is not UTF-8: a lenient decoding
                // would answer it under rid; it must be dead-lettered instead.
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                int cut = valid.indexOf("\"vpsId\":\"") + 9;
                b.writeBytes(valid.substring(0, cut).getBytes(StandardCharsets.UTF_8));
                b.writeBytes(notUtf8());
                b.writeBytes(valid.substring(cut).getBytes(StandardCharsets.UTF_8));
                yield dead("valid request with invalid UTF-8", b.toByteArray());
            }
            case 3 -> dead("not a JSON object", utf8(List.of("[1,2,3]", "\"a string\"", "42", "null", "true", "", " ",
                    "[{\"requestId\":\"" + rid + "\"}]").get(random.nextInt(8))));
            case 4 -> dead("no requestId", utf8(valid.replace("\"requestId\"", "\"requestID\"")));
            case 5 -> {
                String bad = List.of("\"has space\"", "123", "null", "\"\"", "\"ré-" + rid + "\"", "\"" + "x".repeat(129) + "\"",
                        "\"a\\u0000b\"", "{\"id\":\"" + rid + "\"}", "[\"" + rid + "\"]", "\"🚀\"").get(random.nextInt(10));
                yield dead("invalid requestId", utf8(valid.replace("\"" + rid + "\"", bad)));
            }
            case 6 -> dead("tombstone", null);
            case 7 -> dead("truncated JSON", utf8(valid.substring(0, 1 + random.nextInt(valid.length() - 2))));
            case 8 -> dead("nested 5000 deep", utf8(valid.substring(0, valid.length() - 1) + ",\"x\":" + "[".repeat(5000)
                    + "]".repeat(5000) + "}"));
            case 9 -> dead("UTF-16 encoded request", valid.getBytes(StandardCharsets.UTF_16));
            case 10 -> dead("Unicode garbage", utf8("{\u202e\uFEFF🚀 not json ﷽ \u0000"));
            case 11 -> dead("JSON with a comment", utf8("/* c */" + valid));
            case 12 -> dead("single quotes", utf8(valid.replace('"', '\'')));
            default -> new Case("random bytes with a binary key and headers", bytes(1 + random.nextInt(32)),
                    bytes(random.nextInt(512)), List.of(new RecordHeader("h", bytes(8))), new Dead(false));
        };
    }

    private byte[] notUtf8() {
        return List.of(new byte[]{(byte) 0xff}, new byte[]{(byte) 0xc0, (byte) 0xaf}, new byte[]{(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                new byte[]{(byte) 0xe2, (byte) 0x82}, new byte[]{(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80})
                .get(random.nextInt(5));
    }

    private static Case dead(String kind, byte[] value) {
        return new Case(kind, null, value, List.of(), new Dead(false));
    }

    private static Case answer(String kind, byte[] key, String value, String id, String status) {
        return answer(kind, key, value, Set.of(id), status);
    }

    private static Case answer(String kind, byte[] key, String value, Set<String> ids, String status) {
        return new Case(kind, key, utf8(value), List.of(), new Answer(ids, status));
    }

    private static ObjectNode request(String rid, String vps, String filename) {
        return ProcessCluster.JSON.createObjectNode().put("requestId", rid).put("vpsId", vps)
                .put("url", "https://releases.example.org/images/" + filename).put("filename", filename);
    }

    private static JsonNode nested(int depth, String leaf) {
        JsonNode n = ProcessCluster.JSON.getNodeFactory().textNode(leaf);
        for (int d = 0; d < depth; d++) {
            n = d % 2 == 0 ? ProcessCluster.JSON.createArrayNode().add(n) : ProcessCluster.JSON.createObjectNode().set("k", n);
        }
        return n;
    }

    private static String vps(int n) {
        return "vps_fz" + n;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String json(JsonNode n) {
        return n.toString();
    }

    // ------------------------------------------------------------------------------ accounting

    private static void awaitAccounted(ProcessCluster cluster, DeadLetterReader dlq, List<Sent> sent, Duration timeout)
            throws InterruptedException {
        Instant until = Instant.now().plus(timeout);
        Map<String, Long> missing;
        do {
            Thread.sleep(1000);
            missing = missing(cluster, dlq, sent);
        } while (!missing.isEmpty() && Instant.now().isBefore(until));
        assertThat(missing).as("records neither answered nor dead-lettered within %s, by kind", timeout).isEmpty();
    }

    private static Map<String, Long> missing(ProcessCluster cluster, DeadLetterReader dlq, List<Sent> sent) {
        Map<String, List<ConsumerRecord<String, String>>> outcomes = cluster.outcomes();
        Map<String, Long> missing = new TreeMap<>();
        for (Sent s : sent) {
            boolean done = s.c().expect() instanceof Answer a
                    ? a.ids().stream().anyMatch(outcomes::containsKey)
                    : !dlq.of(s.where().topic(), s.where().partition(), s.where().offset()).isEmpty();
            if (!done) {
                missing.merge(s.c().kind(), 1L, Long::sum);
            }
        }
        return missing;
    }

    private static void assertExactlyOnce(ProcessCluster cluster, DeadLetterReader dlq, List<Sent> sent) throws Exception {
        Map<String, List<ConsumerRecord<String, String>>> outcomes = cluster.outcomes();
        Set<String> expectedIds = sent.stream().filter(s -> s.c().expect() instanceof Answer)
                .flatMap(s -> ((Answer) s.c().expect()).ids().stream()).collect(Collectors.toSet());
        assertThat(outcomes.keySet()).as("outcomes for records that must not be answered").isSubsetOf(expectedIds);
        long deadLetters = 0;
        for (Sent s : sent) {
            String what = s.c().kind() + " at " + s.where();
            if (s.c().expect() instanceof Answer a) {
                List<ConsumerRecord<String, String>> got = a.ids().stream().flatMap(id -> outcomes.getOrDefault(id, List.of()).stream()).toList();
                assertThat(got).as("outcomes of %s", what).hasSize(1);
                JsonNode event = ProcessCluster.JSON.readTree(got.get(0).value());
                assertThat(event.get("status").asText()).as("status of %s", what).isEqualTo(a.status());
                if (a.status().equals("failed")) {
                    assertThat(event.get("error").get("code").asText()).as("error of %s", what).isEqualTo("invalid_request");
                }
                assertThat(dlq.of(s.where().topic(), s.where().partition(), s.where().offset())).as("dead letters of %s", what).isEmpty();
            } else {
                Dead d = (Dead) s.c().expect();
                List<ConsumerRecord<byte[], byte[]>> got = dlq.of(s.where().topic(), s.where().partition(), s.where().offset());
                assertThat(got).as("dead letters of %s", what).hasSize(1);
                deadLetters++;
                assertDeadLetterOf(s.c(), d, got.get(0), what);
            }
        }
        assertThat(dlq.records()).as("dead letters in all").hasSize((int) deadLetters);
    }

    private static void assertDeadLetterOf(Case c, Dead d, ConsumerRecord<byte[], byte[]> letter, String what) throws Exception {
        assertThat(DeadLetterReader.header(letter, "dead-letter-reason")).as("reason of %s", what).isNotBlank();
        assertThat(DeadLetterReader.header(letter, "dead-letter-topic")).isEqualTo(ProcessCluster.REQUESTS);
        assertThat(letter.key()).as("key of %s", what).isEqualTo(c.key());
        for (Header h : c.headers()) {
            assertThat(letter.headers().lastHeader(h.key())).as("header %s of %s", h.key(), what).isNotNull();
            assertThat(letter.headers().lastHeader(h.key()).value()).isEqualTo(h.value());
        }
        if (!d.truncated()) {
            assertThat(letter.value()).as("value of %s", what).isEqualTo(c.value());
            assertThat(letter.headers().lastHeader("dead-letter-truncated")).as("truncation of %s", what).isNull();
            return;
        }
        assertThat(DeadLetterReader.header(letter, "dead-letter-truncated")).isEqualTo("true");
        assertThat(DeadLetterReader.header(letter, "dead-letter-original-size")).isEqualTo(Integer.toString(c.value().length));
        assertThat(DeadLetterReader.header(letter, "dead-letter-sha256"))
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.value())));
        assertThat(letter.value().length).as("kept part of %s", what).isGreaterThan(512 * 1024).isLessThan(c.value().length);
        assertThat(letter.value()).isEqualTo(Arrays.copyOf(c.value(), letter.value().length));
    }

    private static Map<String, Long> countByKind(List<Case> cases) {
        Function<Case, String> side = c -> c.expect() instanceof Dead ? "dead" : ((Answer) c.expect()).status();
        return cases.stream().collect(Collectors.groupingBy(side, LinkedHashMap::new, Collectors.counting()));
    }

    // ------------------------------------------------------------------------------ set-up

    /** The request topic takes records up to 4 MB; the dead-letter topic keeps the broker's default (~1 MB). */
    private static void allowLargeRequests(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, ProcessCluster.REQUESTS),
                    List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", Integer.toString(MAX_REQUEST_BYTES)),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<byte[], byte[]> bytesProducer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES));
    }
}
