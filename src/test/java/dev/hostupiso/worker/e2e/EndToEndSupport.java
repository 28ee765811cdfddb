package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.localstack.TopicWatcher;
import dev.hostupiso.worker.testsupport.ContractValidator;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Helpers shared by the end-to-end tests: unique ids, request records, reading outcomes. Every
 * outcome a test reads, and after each test every record on the outcome topic so far, is checked
 * against the event contract ({@code asyncapi.yaml} and its JSON Schemas) by {@link ContractValidator}.
 */
abstract class EndToEndSupport {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration OUTCOME_TIMEOUT = Duration.ofSeconds(30);

    static HostUpSimulator sim() {
        return WorkerTestEnvironment.simulator();
    }

    static TopicWatcher watcher() {
        return WorkerTestEnvironment.watcher();
    }

    /** A fresh id, so that tests sharing one broker and one simulator never see each other's work. */
    static String uid(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String vps() {
        return "vps_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    static ObjectNode request(String requestId, String vpsId, String filename) {
        return JSON.createObjectNode().put("requestId", requestId).put("vpsId", vpsId)
                .put("url", "https://releases.example.org/images/" + filename).put("filename", filename);
    }

    static void send(JsonNode request) {
        WorkerTestEnvironment.send(request.get("requestId").asText(), request.toString());
    }

    /** Sends {@code request} on request topic {@code topic}. */
    static void send(String topic, JsonNode request) {
        WorkerTestEnvironment.send(topic, request.get("requestId").asText(), request.toString());
    }

    /** The outcome of {@code requestId} on outcome topic {@code topic}, checked against the outcome channel's contract. */
    static JsonNode awaitOutcome(String topic, String requestId) {
        ConsumerRecord<String, String> record = watcher().awaitKey(topic, requestId, OUTCOME_TIMEOUT);
        ContractValidator.get().assertConformsAs(TEAM_EVENTS_CHANNEL, record);
        return parse(record.value());
    }

    static ConsumerRecord<String, String> awaitOutcomeRecord(String requestId) {
        ConsumerRecord<String, String> record = watcher().awaitKey(WorkerTestEnvironment.EVENTS, requestId, OUTCOME_TIMEOUT);
        ContractValidator.get().assertConforms(record);
        return record;
    }

    /** The contract's channel of a team's own outcome and progress topic. */
    static final String TEAM_EVENTS_CHANNEL = "teamEvents";

    /** Records checked so far, by partition: the next check starts after them. */
    private static final Map<TopicPartition, Long> CHECKED_UP_TO = new ConcurrentHashMap<>();

    /**
     * Every outcome and dead letter published so far conforms to the contract, also those no test
     * awaited (duplicates answered again, requests of other tests): each is checked once.
     */
    @AfterEach
    void everyOutcomeSoFarConformsToTheContract() {
        for (String topic : new String[] {WorkerTestEnvironment.EVENTS, WorkerTestEnvironment.DLQ}) {
            for (ConsumerRecord<String, String> r : watcher().records(topic)) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (r.offset() > CHECKED_UP_TO.getOrDefault(tp, -1L)) {
                    CHECKED_UP_TO.merge(tp, r.offset(), Math::max); // first: a bad record fails one test, not all later ones
                    ContractValidator.get().assertConforms(r);
                }
            }
        }
        for (ConsumerRecord<String, String> r : watcher().records(WorkerTestEnvironment.TEAM_A_EVENTS)) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (r.offset() > CHECKED_UP_TO.getOrDefault(tp, -1L)) {
                CHECKED_UP_TO.merge(tp, r.offset(), Math::max);
                ContractValidator.get().assertConformsAs(TEAM_EVENTS_CHANNEL, r);
            }
        }
    }

    static JsonNode awaitOutcome(String requestId) {
        return parse(awaitOutcomeRecord(requestId).value());
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** Reads the VPS's ISO library from the simulator over HTTP, as a client would. */
    static JsonNode library(String vpsId) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(sim().baseUrl() + "/api/v2/vps/" + vpsId + "/iso"))
                .header("Authorization", "Bearer " + WorkerTestEnvironment.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        return parse(r.body());
    }

    static String isoIdOf(String vpsId, String filename) throws Exception {
        for (JsonNode iso : library(vpsId).get("available")) {
            if (filename.equals(iso.path("name").asText())) {
                return iso.get("id").asText();
            }
        }
        throw new AssertionError(filename + " is not in the library of " + vpsId);
    }

    /** GET of one of the app's own endpoints (health, metrics in Prometheus text format). */
    static HttpResponse<String> get(URL url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.toString()))
                .header("Accept", "text/plain; version=0.0.4").build(), HttpResponse.BodyHandlers.ofString());
    }
}
