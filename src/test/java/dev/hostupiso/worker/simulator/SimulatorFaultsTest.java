package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The faults a worker must survive, each seen over real HTTP on loopback. */
class SimulatorFaultsTest {

    private static final String TOKEN = "fault-test-token";
    private static final String VPS = "vps_01hxfaults";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private HostUpSimulator sim = HostUpSimulator.start(TOKEN);

    @AfterEach
    void stop() {
        sim.close();
    }

    private HttpRequest request(String method, String path, String body, String token, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).timeout(timeout)
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return b.build();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return http.send(request(method, path, body, TOKEN, Duration.ofSeconds(10)), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest fromUrlRequest(String filename, Duration timeout) {
        return request("POST", "/api/v2/vps/" + VPS + "/iso/actions/from-url",
                "{\"url\":\"https://releases.example.com/" + filename + "\",\"filename\":\"" + filename + "\"}",
                TOKEN, timeout);
    }

    private HttpResponse<String> fromUrl(String filename) throws Exception {
        return http.send(fromUrlRequest(filename, Duration.ofSeconds(10)), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> listed() throws Exception {
        List<String> names = new ArrayList<>();
        JSON.readTree(call("GET", "/api/v2/vps/" + VPS + "/iso", null).body()).get("available")
                .forEach(n -> names.add(n.get("name").asText(null)));
        return names;
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    // ------------------------------------------------------------------ answers lost after queueing

    @Test
    void fromUrlAnswersLostAfterTheJobWasQueued() throws Exception {
        sim.vps(VPS).loseFromUrlAnswers(2, ScriptedResponse.reset())
                .enqueue(Endpoint.FROM_URL, ScriptedResponse.afterHandling(ScriptedResponse.problem(500, "internal_error")))
                .enqueue(Endpoint.FROM_URL, ScriptedResponse.afterHandling(ScriptedResponse.html(502)));

        assertThatThrownBy(() -> fromUrl("a.iso")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> fromUrl("b.iso")).isInstanceOf(IOException.class);
        HttpResponse<String> p500 = fromUrl("c.iso");
        assertThat(p500.statusCode()).isEqualTo(500);
        assertThat(p500.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(p500).get("code").asText()).isEqualTo("internal_error");
        HttpResponse<String> h502 = fromUrl("d.iso");
        assertThat(h502.statusCode()).isEqualTo(502);
        assertThat(h502.body()).contains("<html>");

        // every one of them queued its job, which ran and is listed
        assertThat(sim.jobTimes()).extracting(JobTimes::filename).containsExactly("a.iso", "b.iso", "c.iso", "d.iso");
        assertThat(listed()).contains("a.iso", "b.iso", "c.iso", "d.iso");
        for (String f : List.of("a.iso", "b.iso", "c.iso", "d.iso")) {
            assertThat(sim.downloadsStarted(VPS, f)).as(f).isEqualTo(1);
        }
        // the next call is answered normally; a retry of a lost one finds the file
        assertThat(fromUrl("e.iso").statusCode()).isEqualTo(202);
        assertThat(fromUrl("a.iso").statusCode()).isEqualTo(200);
        assertThat(sim.secondDownloads()).isZero();
    }

    @Test
    void fromUrlStallLongerThanTheClientTimeoutStillQueuesTheJob() throws Exception {
        sim.vps(VPS).jobDuration(Duration.ofSeconds(30))
                .loseFromUrlAnswers(1, ScriptedResponse.stall(Duration.ofSeconds(3)));
        long start = System.nanoTime();
        assertThatThrownBy(() -> http.send(fromUrlRequest("slow.iso", Duration.ofMillis(300)),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(sim.downloadsStarted(VPS, "slow.iso")).isEqualTo(1);
        // a resubmission while the first download runs starts a second one: what the worker must avoid
        assertThat(fromUrl("slow.iso").statusCode()).isEqualTo(202);
        assertThat(sim.secondDownloads()).isEqualTo(1);
    }

    @Test
    void stallWithoutHandlingAndResetWithoutHandlingQueueNothing() throws Exception {
        sim.vps(VPS).enqueue(Endpoint.FROM_URL, ScriptedResponse.stall(Duration.ofMillis(800)))
                .enqueue(Endpoint.FROM_URL, ScriptedResponse.reset());
        long start = System.nanoTime();
        // the client waits longer than the stall: the connection closes with no answer
        assertThatThrownBy(() -> fromUrl("x.iso")).isInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(750));
        assertThatThrownBy(() -> fromUrl("y.iso")).isInstanceOf(IOException.class);
        assertThat(sim.jobTimes()).isEmpty();
        assertThat(sim.calls(VPS, Endpoint.FROM_URL)).extracting(RecordedCall::status).containsExactly(0, 0);
    }

    // ------------------------------------------------------------------ slow answers

    @Test
    void lateAnswerQueuesTheJobAtReceipt() throws Exception {
        sim.vps(VPS).jobDuration(Duration.ofSeconds(30))
                .enqueue(Endpoint.FROM_URL, ScriptedResponse.answeredLate(Duration.ofMillis(1500)));
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(fromUrlRequest("late.iso", Duration.ofSeconds(10)),
                HttpResponse.BodyHandlers.ofString());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> sim.jobTimes().size() == 1);
        assertThat(answer).isNotDone();
        HttpResponse<String> r = answer.get();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(json(r).get("operation").get("jobId").asText()).isEqualTo(sim.jobTimes().get(0).jobId());
    }

    // ------------------------------------------------------------------ oversized bodies

    @Test
    void oversizedProblemAndFailureMessage() throws Exception {
        sim.vps(VPS).enqueue(Endpoint.ISO_LIST, ScriptedResponse.oversizedProblem(500, "internal_error"));
        HttpResponse<String> r = call("GET", "/api/v2/vps/" + VPS + "/iso", null);
        assertThat(r.statusCode()).isEqualTo(500);
        JsonNode p = json(r);
        assertThat(p.get("code").asText()).isEqualTo("internal_error");
        assertThat(p.get("detail").asText()).hasSize(2 * 1024 * 1024);
        assertThat(p.get("errors")).hasSize(10_000);

        String huge = "disk quota exceeded; ".repeat(100_000);
        sim.vps(VPS).failJobs(huge);
        String pollUrl = json(fromUrl("big.iso")).get("operation").get("pollUrl").asText();
        JsonNode job = json(call("GET", pollUrl, null)).get("data");
        assertThat(job.get("isFailed").asBoolean()).isTrue();
        assertThat(job.get("result").get("message").asText()).isEqualTo(huge).hasSizeGreaterThan(2_000_000);
    }

    // ------------------------------------------------------------------ random faults

    @Test
    void randomFaultsOfEachKind() throws Exception {
        sim.vps(VPS);
        String list = "/api/v2/vps/" + VPS + "/iso";
        sim.faults(FaultRates.only(Fault.SERVER_ERROR, 1));
        assertThat(call("GET", list, null).statusCode()).isIn(500, 503);
        sim.faults(FaultRates.only(Fault.HTML_502, 1));
        assertThat(call("GET", list, null).headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        sim.faults(FaultRates.only(Fault.OVERSIZED, 1));
        assertThat(call("GET", list, null).body().length()).isGreaterThan(2 * 1024 * 1024);
        sim.faults(FaultRates.only(Fault.RESET, 1));
        assertThatThrownBy(() -> call("GET", list, null)).isInstanceOf(IOException.class);
        sim.faults(FaultRates.only(Fault.STALL, 1).withStallFor(Duration.ofSeconds(2)));
        assertThatThrownBy(() -> http.send(request("GET", list, null, TOKEN, Duration.ofMillis(200)),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);

        // lost-after-queue touches from-url only: other calls are normal
        sim.faults(FaultRates.only(Fault.LOST_AFTER_QUEUE, 1).withStallFor(Duration.ofMillis(300)));
        assertThat(call("GET", list, null).statusCode()).isEqualTo(200);
        for (int i = 0; i < 8; i++) {
            int status;
            try {
                status = fromUrl("lost-" + i + ".iso").statusCode();
            } catch (IOException noAnswer) {
                status = 0;
            }
            assertThat(status).isIn(0, 500, 502);
            assertThat(sim.downloadsStarted(VPS, "lost-" + i + ".iso")).isEqualTo(1);
        }

        sim.faults(FaultRates.NONE);
        assertThat(call("GET", list, null).statusCode()).isEqualTo(200);
        assertThat(sim.faultsInjected()).containsEntry(Fault.SERVER_ERROR, 1L).containsEntry(Fault.HTML_502, 1L)
                .containsEntry(Fault.OVERSIZED, 1L).containsEntry(Fault.STALL, 1L)
                .containsEntry(Fault.LOST_AFTER_QUEUE, 8L);
        // the JDK client retries an idempotent GET once on a closed connection
        assertThat(sim.faultsInjected().get(Fault.RESET)).isBetween(1L, 2L);
    }

    @Test
    void rateLimitStormIsABurstOf429s() throws Exception {
        sim.vps(VPS);
        sim.faults(FaultRates.only(Fault.RATE_LIMITED, 1).withStormLength(4));
        HttpResponse<String> r = call("GET", "/api/v2/vps/" + VPS + "/iso", null);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(json(r).get("code").asText()).isEqualTo("rate_limited");
        // the storm goes on for its length even when the rate drops to zero
        sim.faults(FaultRates.only(Fault.RATE_LIMITED, 1).withStormLength(4));
        for (int i = 0; i < 4; i++) {
            assertThat(call("GET", "/api/v2/vps/" + VPS + "/iso", null).statusCode()).isEqualTo(429);
        }
        sim.faults(FaultRates.NONE);
        assertThat(call("GET", "/api/v2/vps/" + VPS + "/iso", null).statusCode()).isEqualTo(200);
    }

    @Test
    void theSameSeedGivesTheSameFaults() throws Exception {
        FaultRates mix = new FaultRates(0.2, 0.2, 0, 0, 0.2, 0, 0, Duration.ofSeconds(1), 1);
        List<Integer> first = statuses(mix, 42);
        List<Integer> second = statuses(mix, 42);
        assertThat(first).isEqualTo(second).contains(0, 200).containsAnyOf(500, 503).contains(502);
        assertThat(statuses(mix, 7)).isNotEqualTo(first);
    }

    private List<Integer> statuses(FaultRates rates, long seed) throws Exception {
        sim.close();
        sim = HostUpSimulator.start(SimulatorOptions.builder().token(TOKEN).faults(rates).seed(seed).build());
        sim.vps(VPS);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            try {
                out.add(call("GET", "/api/v2/vps/" + VPS + "/iso", null).statusCode());
            } catch (IOException reset) {
                out.add(0);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ headers

    @Test
    void rateLimitHeadersThatSayWaitAYear() throws Exception {
        sim.vps(VPS);
        sim.abusiveRateLimitHeaders(Duration.ofDays(365));
        HttpResponse<String> r = call("GET", "/api/v2/vps/" + VPS + "/iso", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
        Instant reset = Instant.parse(r.headers().firstValue("X-RateLimit-Reset").orElseThrow());
        assertThat(reset).isAfter(Instant.now().plus(Duration.ofDays(364)));
        sim.abusiveRateLimitHeaders(null);
        assertThat(call("GET", "/api/v2/vps/" + VPS + "/iso", null).headers().firstValue("X-RateLimit-Reset")).isEmpty();
    }

    @Test
    void dateHeaderSkewedFromTheRealClock() throws Exception {
        sim.vps(VPS);
        try (DateSkewRelay relay = DateSkewRelay.start(sim, Duration.ofHours(-3))) {
            for (int i = 0; i < 3; i++) { // keep-alive: several answers on one connection
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/api/v2/vps/"
                        + VPS + "/iso")).header("Authorization", "Bearer " + TOKEN).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(json(r).has("available")).isTrue();
                Instant date = java.time.ZonedDateTime.parse(r.headers().firstValue("Date").orElseThrow(),
                        java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                assertThat(Duration.between(date, Instant.now()).toMinutes()).isBetween(179L, 181L);
            }
            // a reset passes through as a closed connection (twice: the JDK client retries a GET once)
            sim.vps(VPS).enqueue(Endpoint.ISO_LIST, ScriptedResponse.reset()).enqueue(Endpoint.ISO_LIST,
                    ScriptedResponse.reset());
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/api/v2/vps/"
                    + VPS + "/iso")).header("Authorization", "Bearer " + TOKEN)
                    .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        }
    }

    // ------------------------------------------------------------------ 403s

    @Test
    void ipRestrictedKeyIsForbiddenEverywhereUntilLifted() throws Exception {
        sim.vps(VPS);
        String pollUrl = json(fromUrl("ip.iso")).get("operation").get("pollUrl").asText();
        sim.ipRestricted(true);
        for (HttpResponse<String> r : List.of(fromUrl("ip2.iso"), call("GET", pollUrl, null),
                call("GET", "/api/v2/vps/" + VPS + "/iso", null),
                call("POST", "/api/v2/vps/" + VPS + "/iso/actions/mount", "{\"isoId\":\"iso_x\"}"))) {
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(json(r).get("code").asText()).isEqualTo("forbidden");
        }
        assertThat(sim.downloadsStarted(VPS, "ip2.iso")).isZero();
        sim.ipRestricted(false);
        assertThat(call("GET", pollUrl, null).statusCode()).isEqualTo(200);
    }

    @Test
    void keyWithoutReadScopeIsForbiddenOnTheListOnly() throws Exception {
        sim.vps(VPS);
        sim.addToken("no-read", Set.of(HostUpSimulator.WRITE_VM, HostUpSimulator.WRITE_STORAGE));
        HttpResponse<String> q = http.send(request("POST", "/api/v2/vps/" + VPS + "/iso/actions/from-url",
                "{\"url\":\"https://x.example/s.iso\",\"filename\":\"s.iso\"}", "no-read", Duration.ofSeconds(5)),
                HttpResponse.BodyHandlers.ofString());
        assertThat(q.statusCode()).isEqualTo(202);
        String pollUrl = json(q).get("operation").get("pollUrl").asText();
        assertThat(http.send(request("GET", pollUrl, null, "no-read", Duration.ofSeconds(5)),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        HttpResponse<String> l = http.send(request("GET", "/api/v2/vps/" + VPS + "/iso", null, "no-read",
                Duration.ofSeconds(5)), HttpResponse.BodyHandlers.ofString());
        assertThat(l.statusCode()).isEqualTo(403);
        assertThat(json(l).get("detail").asText()).contains("read:vm");
    }

    // ------------------------------------------------------------------ control API

    @Test
    void controlApiReportsDownloadsAndSetsFaults() throws Exception {
        sim.vps(VPS).jobDuration(Duration.ofSeconds(30));
        fromUrl("one.iso");
        fromUrl("two.iso");
        fromUrl("two.iso");
        try (SimulatorControl control = SimulatorControl.start(sim)) {
            assertThat(get(control, "GET", "/control/second-downloads")).isEqualTo("1");
            assertThat(get(control, "GET", "/control/downloads-started?vps=" + VPS + "&filename=two.iso")).isEqualTo("2");
            assertThat(get(control, "GET", "/control/downloads"))
                    .isEqualTo(VPS + " one.iso 1\n" + VPS + " two.iso 2\n");
            assertThat(get(control, "POST", "/control/faults?serverError=1")).isEqualTo("ok");
            assertThat(call("GET", "/api/v2/vps/" + VPS + "/iso", null).statusCode()).isIn(500, 503);
            assertThat(get(control, "GET", "/control/faults-injected")).contains("SERVER_ERROR 1");
            get(control, "POST", "/control/faults");
            assertThat(get(control, "POST", "/control/ip-restricted?on=true")).isEqualTo("ok");
            assertThat(call("GET", "/api/v2/vps/" + VPS + "/iso", null).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void controlApiSetsUpARunAndReportsItsCallsAndJobs() throws Exception {
        try (SimulatorControl control = SimulatorControl.start(sim)) {
            assertThat(get(control, "POST", "/control/vps?prefix=bench&count=2&minMs=5&maxMs=5")).isEqualTo("ok 2");
            String vps = SimulatorControl.vpsId("bench", 1);
            assertThat(vps).isEqualTo("bench000001");
            String path = "/api/v2/vps/" + vps + "/iso/actions/from-url";
            assertThat(call("POST", path, "{\"url\":\"https://releases.example.com/a.iso\",\"filename\":\"a.iso\"}")
                    .statusCode()).isEqualTo(202);
            assertThat(get(control, "GET", "/control/calls")).matches("\\d+ FROM_URL " + vps + " null 202 Java-http-client%2F\\S+\n");
            assertThat(get(control, "GET", "/control/jobs")).matches("job_\\w+ " + vps + " \\d+ \\d+ false false\n");
            assertThat(get(control, "POST", "/control/ratelimit?calls=1&windowMs=60000")).isEqualTo("ok");
            call("GET", "/api/v2/vps/" + vps + "/iso", null);
            assertThat(call("GET", "/api/v2/vps/" + vps + "/iso", null).statusCode()).isEqualTo(429);
            assertThat(get(control, "GET", "/control/total")).isEqualTo("3");
            assertThat(get(control, "POST", "/control/reset")).isEqualTo("ok");
            assertThat(call("GET", "/api/v2/vps/" + vps + "/iso", null).statusCode()).isEqualTo(404);
        }
    }

    private String get(SimulatorControl control, String method, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(control.baseUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }
}
