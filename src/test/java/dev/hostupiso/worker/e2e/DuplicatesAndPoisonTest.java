package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.testsupport.DeadLetterReader;
import dev.hostupiso.worker.localstack.TopicWatcher;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class DuplicatesAndPoisonTest extends EndToEndSupport {

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAndLaterRecordsStillComplete() {
        String marker = uid("poison");
        WorkerTestEnvironment.send(marker + "-a", "this is not json");
        WorkerTestEnvironment.send(marker + "-b", "[\"an\",\"array\"]");
        WorkerTestEnvironment.send(marker + "-c", "{\"vpsId\":\"vps_x\",\"url\":\"https://h/x.iso\",\"filename\":\"x.iso\"}");
        WorkerTestEnvironment.send(marker + "-d", null);
        String vps = vps();
        sim().vps(vps);
        String rid = uid("after-poison");
        send(request(rid, vps, "x.iso"));

        assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> watcher().records(WorkerTestEnvironment.DLQ).stream()
                .filter(r -> r.key() != null && r.key().startsWith(marker)).count() == 4);
        List<ConsumerRecord<String, String>> dead = watcher().records(WorkerTestEnvironment.DLQ).stream()
                .filter(r -> r.key() != null && r.key().startsWith(marker)).toList();
        assertThat(dead).extracting(r -> TopicWatcher.header(r, "dead-letter-reason"))
                .containsExactlyInAnyOrder("value is not JSON", "value is not a JSON object", "requestId is missing",
                        "record has no value");
        assertThat(dead).extracting(r -> TopicWatcher.header(r, "dead-letter-topic")).containsOnly(WorkerTestEnvironment.REQUESTS);
        assertThat(dead).filteredOn(r -> r.key().equals(marker + "-a")).extracting(ConsumerRecord::value)
                .containsExactly("this is not json");
    }

    /**
     * The dead-letter topic holds the request record exactly: key, value bytes and headers. A value
     * that is not UTF-8 is not answered (a lenient decoding would turn it into another request), and
     * a 900 KB record of random bytes (which grew past the topic's limit when re-encoded as text and
     * stopped intake) is dead-lettered while the next request still completes.
     */
    @Test
    void recordsThatAreNotUtf8AreDeadLetteredByteForByteAndIntakeGoesOn() throws Exception {
        String rid = uid("not-utf8");
        ByteArrayOutputStream notUtf8 = new ByteArrayOutputStream();
        notUtf8.writeBytes(("{\"requestId\":\"" + rid + "\",\"vpsId\":\"vps_").getBytes(StandardCharsets.UTF_8));
        notUtf8.writeBytes(new byte[]{(byte) 0xff, (byte) 0xc0, (byte) 0xaf, (byte) 0xed, (byte) 0xa0, (byte) 0x80});
        notUtf8.writeBytes("\",\"url\":\"https://h.example/x.iso\",\"filename\":\"x.iso\"}".getBytes(StandardCharsets.UTF_8));
        byte[] key = {(byte) 0x80, (byte) 0xfe, 'k'};
        byte[] random = new byte[900 * 1024];
        new Random(42).nextBytes(random);
        String vps = vps();
        sim().vps(vps);
        String after = uid("after-bytes");

        try (KafkaProducer<byte[], byte[]> producer = bytesProducer();
             DeadLetterReader dlq = new DeadLetterReader(WorkerTestEnvironment.bootstrapServers(), WorkerTestEnvironment.DLQ)) {
            ProducerRecord<byte[], byte[]> first = new ProducerRecord<>(WorkerTestEnvironment.REQUESTS, null, key,
                    notUtf8.toByteArray(), List.of(new RecordHeader("trace-id", new byte[]{(byte) 0xfa, 0, 1})));
            RecordMetadata a = producer.send(first).get(10, TimeUnit.SECONDS);
            RecordMetadata b = producer.send(new ProducerRecord<>(WorkerTestEnvironment.REQUESTS, random)).get(10, TimeUnit.SECONDS);
            send(request(after, vps, "x.iso"));

            assertThat(awaitOutcome(after).get("status").asText()).isEqualTo("completed");
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> dlq.of(a.topic(), a.partition(), a.offset()).size() == 1 && dlq.of(b.topic(), b.partition(), b.offset()).size() == 1);
            ConsumerRecord<byte[], byte[]> deadA = dlq.of(a.topic(), a.partition(), a.offset()).get(0);
            assertThat(deadA.value()).isEqualTo(notUtf8.toByteArray());
            assertThat(deadA.key()).isEqualTo(key);
            assertThat(deadA.headers().lastHeader("trace-id").value()).isEqualTo(new byte[]{(byte) 0xfa, 0, 1});
            assertThat(DeadLetterReader.header(deadA, "dead-letter-reason")).isEqualTo("value is not UTF-8");
            ConsumerRecord<byte[], byte[]> deadB = dlq.of(b.topic(), b.partition(), b.offset()).get(0);
            assertThat(deadB.value()).isEqualTo(random);
            assertThat(deadB.key()).isNull();
            assertThat(DeadLetterReader.header(deadB, "dead-letter-truncated")).isNull();
            assertThat(watcher().records(WorkerTestEnvironment.EVENTS, rid)).isEmpty();
        }
    }

    private static KafkaProducer<byte[], byte[]> bytesProducer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, WorkerTestEnvironment.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all"));
    }

    @Test
    void duplicateWhileInFlightCallsFromUrlOnceAndYieldsOneOutcome() throws Exception {
        String vps = vps();
        sim().vps(vps).jobDuration(Duration.ofMillis(1500));
        String rid = uid("dup");
        JsonNode req = request(rid, vps, "x.iso");
        send(req);
        send(req);
        send(req);
        assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
        Thread.sleep(1000); // a second outcome, if any, would be out by now
        assertThat(watcher().records(WorkerTestEnvironment.EVENTS, rid)).hasSize(1);
        assertThat(sim().count(vps, Endpoint.FROM_URL)).isEqualTo(1);
    }

    @Test
    void duplicateAfterTheOutcomeGetsTheSameEventAgainWithoutApiCalls() {
        String vps = vps();
        sim().vps(vps);
        String rid = uid("redeliver");
        JsonNode req = request(rid, vps, "x.iso");
        send(req);
        ConsumerRecord<String, String> first = awaitOutcomeRecord(rid);
        long callsBefore = sim().calls().stream().filter(c -> vps.equals(c.vpsId())).count();
        send(req);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> watcher().records(WorkerTestEnvironment.EVENTS, rid).size() == 2);
        ConsumerRecord<String, String> second = watcher().records(WorkerTestEnvironment.EVENTS, rid).get(1);
        assertThat(second.value()).isEqualTo(first.value());
        assertThat(TopicWatcher.header(second, "ce_id")).isEqualTo(TopicWatcher.header(first, "ce_id"));
        assertThat(sim().calls().stream().filter(c -> vps.equals(c.vpsId())).count()).isEqualTo(callsBefore);
    }
}
