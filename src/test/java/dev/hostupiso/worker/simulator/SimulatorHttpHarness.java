package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.testsupport.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A simulator on a manual clock and an HTTP client for the simulator's tests; after each test, checks that the API key
 * was never written to a response, a recorded call or the simulator's own description.
 */
abstract class SimulatorHttpHarness {

    static final String TOKEN = "hup_live_s3cr3t_TOKEN_value_123";
    static final String VPS = "vps_01hxtest";
    static final String UBUNTU = "ubuntu-24.04-live-server-amd64.iso";
    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T09:59:00Z"));
    HostUpSimulator sim;
    /** Every response seen, to check the token never leaks. */
    final List<HttpResponse<String>> seen = new ArrayList<>();

    @BeforeEach
    void start() {
        sim = HostUpSimulator.start(SimulatorOptions.builder().token(TOKEN).clock(clock).threads(16).build());
    }

    @AfterEach
    void stopAndCheckNoLeak() {
        try {
            for (HttpResponse<String> r : seen) {
                assertThat(r.body()).doesNotContain(TOKEN);
                r.headers().map().forEach((k, vs) -> assertThat(vs).noneMatch(v -> v.contains(TOKEN)));
            }
            for (RecordedCall c : sim.calls()) {
                assertThat(c.toString()).doesNotContain(TOKEN);
            }
            assertThat(sim.toString()).doesNotContain(TOKEN);
        } finally {
            sim.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    HttpResponse<String> send(String method, String path, String body, String authHeader, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).timeout(timeout);
        if (authHeader != null) {
            b.header("Authorization", authHeader);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        seen.add(r);
        return r;
    }

    HttpResponse<String> call(String method, String path, String body) throws Exception {
        return send(method, path, body, "Bearer " + TOKEN, Duration.ofSeconds(5));
    }

    HttpResponse<String> fromUrl(String vps, String filename) throws Exception {
        return call("POST", "/api/v2/vps/" + vps + "/iso/actions/from-url",
                "{\"url\":\"https://releases.example.com/" + filename + "\",\"filename\":\"" + filename + "\"}");
    }

    HttpResponse<String> list(String vps) throws Exception {
        return call("GET", "/api/v2/vps/" + vps + "/iso", null);
    }

    HttpResponse<String> poll(String pollUrl) throws Exception {
        return call("GET", pollUrl, null);
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    static List<String> listedNames(HttpResponse<String> listResponse) throws IOException {
        List<String> names = new ArrayList<>();
        json(listResponse).get("available").forEach(n -> names.add(n.get("name").isNull() ? null : n.get("name").asText()));
        return names;
    }

    static void assertProblem(HttpResponse<String> r, int status, String code) throws IOException {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode p = json(r);
        assertThat(p.get("type").asText()).isEqualTo("https://developer.hostup.se/errors/" + code);
        assertThat(p.get("code").asText()).isEqualTo(code);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("title").asText()).isNotBlank();
        assertThat(p.get("detail").asText()).isNotBlank();
        assertThat(p.get("instance").asText()).isEqualTo(r.uri().getRawPath());
        assertThat(p.get("requestId").asText()).startsWith("req_")
                .isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(Instant.parse(p.get("timestamp").asText())).isNotNull();
        assertThat(p.get("extensions").isObject()).isTrue();
        assertThat(p.has("errors")).isEqualTo(status == 400);
    }

}
