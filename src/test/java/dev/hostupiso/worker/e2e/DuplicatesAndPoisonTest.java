package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.testsupport.TopicWatcher;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

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
