package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.localstack.TopicWatcher;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/** Helpers shared by the end-to-end tests: unique ids, request records, reading outcomes. */
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

    static ConsumerRecord<String, String> awaitOutcomeRecord(String requestId) {
        return watcher().awaitKey(WorkerTestEnvironment.EVENTS, requestId, OUTCOME_TIMEOUT);
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
}
