package dev.hostupiso.worker.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scenarios as HostUp's API shows them to the worker: the simulator's answers per VPS id prefix. */
class SandboxScenariosTest {

    private static final String TOKEN = "scenario-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ScenarioTimings TIMINGS =
            new ScenarioTimings(Duration.ZERO, Duration.ofHours(1), Duration.ofSeconds(7), 2);
    private static HostUpSimulator sim;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        sim = HostUpSimulator.start(TOKEN);
        sim.scenarios(Scenario.hook(TIMINGS));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void prefixesChooseScenariosCaseInsensitivelyAndAnythingElseIsNormal() {
        assertThat(Scenario.of("vps_slow_1")).isEqualTo(Scenario.SLOW);
        assertThat(Scenario.of("VPS_RateLimited-x")).isEqualTo(Scenario.RATE_LIMITED);
        assertThat(Scenario.of("vps_fail9")).isEqualTo(Scenario.FAIL);
        assertThat(Scenario.of("vps_flaky")).isEqualTo(Scenario.FLAKY);
        assertThat(Scenario.of("vps_redirect_a")).isEqualTo(Scenario.REDIRECT);
        assertThat(Scenario.of("vps_notfound_a")).isEqualTo(Scenario.NOT_FOUND);
        assertThat(Scenario.of("vps_01hxa3b4c5")).isEqualTo(Scenario.NORMAL);
        assertThat(Scenario.of("slow")).isEqualTo(Scenario.NORMAL);
    }

    @Test
    void theSenderTurnsAScenarioWordIntoAFreshVpsIdOfThatScenario() {
        Random random = new Random(42);
        for (Scenario s : Scenario.values()) {
            SendRequest.Request a = SendRequest.request(SendRequest.word(s), null, null, random);
            SendRequest.Request b = SendRequest.request(SendRequest.word(s), null, null, random);
            assertThat(Scenario.of(a.vpsId())).isEqualTo(s);
            assertThat(a.vpsId()).isNotEqualTo(b.vpsId());
            assertThat(a.requestId()).isNotEqualTo(b.requestId());
        }
        SendRequest.Request own = SendRequest.request("vps_01mine", "x.iso", "https://h.example/x.iso", random);
        assertThat(own.vpsId()).isEqualTo("vps_01mine");
        assertThat(own.json()).contains("\"filename\":\"x.iso\"", "\"url\":\"https://h.example/x.iso\"");
    }

    @Test
    void timingsAreValidated() {
        assertThatThrownBy(() -> new ScenarioTimings(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScenarioTimings(Duration.ZERO, Duration.ZERO, Duration.ofMillis(1500), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScenarioTimings(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void normalQueuesAndCompletesAndAStockIsoAlreadyExists() throws Exception {
        HttpResponse<String> queued = fromUrl("vps_01normal", "a.iso");
        assertThat(queued.statusCode()).isEqualTo(202);
        assertThat(poll(queued)).isEqualTo("completed");
        assertThat(fromUrl("vps_01normal", "debian-12.iso").statusCode()).isEqualTo(200);
    }

    @Test
    void slowStaysInProgress() throws Exception {
        HttpResponse<String> queued = fromUrl("vps_slow_a", "a.iso");
        assertThat(queued.statusCode()).isEqualTo(202);
        assertThat(poll(queued)).isIn("queued", "pending", "in_progress");
    }

    @Test
    void failEndsTheJobFailed() throws Exception {
        HttpResponse<String> queued = fromUrl("vps_fail_a", "a.iso");
        assertThat(queued.statusCode()).isEqualTo(202);
        assertThat(poll(queued)).isEqualTo("failed");
    }

    @Test
    void rateLimitedAnswers429WithRetryAfterThenQueues() throws Exception {
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = fromUrl("vps_ratelimited_a", "a.iso");
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("7");
        }
        assertThat(fromUrl("vps_ratelimited_a", "a.iso").statusCode()).isEqualTo(202);
    }

    @Test
    void flakyAnswers503ThenQueues() throws Exception {
        assertThat(fromUrl("vps_flaky_a", "a.iso").statusCode()).isEqualTo(503);
        assertThat(fromUrl("vps_flaky_a", "a.iso").statusCode()).isEqualTo(503);
        assertThat(fromUrl("vps_flaky_a", "a.iso").statusCode()).isEqualTo(202);
    }

    @Test
    void redirectIsAValidationErrorAtTheUrl() throws Exception {
        HttpResponse<String> r = fromUrl("vps_redirect_a", "a.iso");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(r.body()).get("errors").get(0);
        assertThat(error.get("pointer").asText()).isEqualTo("/url");
        assertThat(error.get("code").asText()).isEqualTo(Scenario.REDIRECT_CODE);
    }

    @Test
    void notFoundIsUnknownToHostUp() throws Exception {
        HttpResponse<String> r = fromUrl("vps_notfound_a", "a.iso");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(r.body()).get("code").asText()).isEqualTo("vps_not_found");
        assertThat(sim.count("vps_notfound_a", Endpoint.FROM_URL)).isEqualTo(1);
    }

    private HttpResponse<String> fromUrl(String vpsId, String filename) throws Exception {
        String body = JSON.createObjectNode().put("url", "https://releases.example.org/" + filename)
                .put("filename", filename).toString();
        return http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/v2/vps/" + vpsId + "/iso/actions/from-url"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The job's status at the first poll; both envelopes. */
    private String poll(HttpResponse<String> queued) throws Exception {
        String pollUrl = JSON.readTree(queued.body()).get("operation").get("pollUrl").asText();
        JsonNode job = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + pollUrl))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode status = job.has("operation") ? job.get("operation").get("status") : job.get("data").get("status");
        return status.asText();
    }
}
