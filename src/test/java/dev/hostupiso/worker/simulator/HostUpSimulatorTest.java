package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The simulator's HTTP surface: headers, auth and scopes, validation, rate limits, scripted answers, routes. */
class HostUpSimulatorTest extends SimulatorHttpHarness {

    // ------------------------------------------------------------------ tests

    @Test
    void eachRecordedCallKeepsItsUserAgentSoInstancesSharingAKeyCanBeCountedApart() throws Exception {
        sim.vps(VPS);
        HttpRequest named = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/v2/vps/" + VPS + "/iso"))
                .header("Authorization", "Bearer " + TOKEN).header("User-Agent", "hostup-iso-worker (instance-2)").GET().build();
        assertThat(http.send(named, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        list(VPS);
        assertThat(sim.calls()).extracting(RecordedCall::client)
                .satisfiesExactly(first -> assertThat(first).isEqualTo("hostup-iso-worker (instance-2)"),
                        second -> assertThat(second).startsWith("Java-http-client"));
    }

    @Test
    void commonHeadersOnEveryResponse() throws Exception {
        sim.vps(VPS);
        HttpResponse<String> r = list(VPS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.headers().firstValue("X-Request-Id")).get().asString().matches("req_[0-9a-z]{26}");
        String date = r.headers().firstValue("Date").orElseThrow();
        assertThat(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME)).isNotNull();
        // rate limiting disabled by default: no X-RateLimit-* headers at all
        assertThat(r.headers().map().keySet()).noneMatch(k -> k.toLowerCase().startsWith("x-ratelimit"));
        assertThat(sim.baseUrl()).isEqualTo("http://127.0.0.1:" + sim.port());
    }

    @Test
    void jobTimesTellWhenEachJobFinishes() throws Exception {
        sim.vps(VPS).jobDuration(Duration.ofSeconds(30));
        sim.vps("vps_exists").preexisting(UBUNTU, "iso_01exists");
        Instant created = clock.instant();
        String jobId = json(fromUrl(VPS, UBUNTU)).get("operation").get("jobId").asText();
        clock.advance(Duration.ofSeconds(1));
        String existingJob = json(fromUrl("vps_exists", UBUNTU)).get("operation").get("jobId").asText();

        List<JobTimes> times = sim.jobTimes();
        assertThat(times).extracting(JobTimes::jobId).containsExactly(jobId, existingJob);
        JobTimes queued = times.get(0);
        assertThat(queued.vpsId()).isEqualTo(VPS);
        assertThat(queued.filename()).isEqualTo(UBUNTU);
        assertThat(queued.createdAt()).isEqualTo(created);
        assertThat(queued.finishAt()).isEqualTo(created.plusSeconds(30));
        assertThat(queued.finished()).isFalse();
        assertThat(queued.failed()).isFalse();
        assertThat(times.get(1).alreadyExisted()).isTrue();
        assertThat(times.get(1).finished()).isTrue();

        clock.advance(Duration.ofSeconds(29));
        assertThat(sim.jobTimes().get(0).finished()).isTrue();
        sim.reset();
        assertThat(sim.jobTimes()).isEmpty();
    }

    @Test
    void authenticationFailuresAre401() throws Exception {
        sim.vps(VPS);
        String path = "/api/v2/vps/" + VPS + "/iso";
        for (String header : new String[] {null, "Basic abc", "Bearer", "Bearer  ", "Bearer wrong-token", TOKEN}) {
            HttpResponse<String> r = send("GET", path, null, header, Duration.ofSeconds(5));
            assertProblem(r, 401, "unauthorized");
        }
        assertThat(send("GET", path, null, "bearer " + TOKEN, Duration.ofSeconds(5)).statusCode()).isEqualTo(200);

        sim.rejectAllTokens(true);
        HttpResponse<String> revoked = list(VPS);
        assertProblem(revoked, 401, "unauthorized");
        assertThat(json(revoked).get("detail").asText()).contains("revoked");
        sim.rejectAllTokens(false);
        assertThat(list(VPS).statusCode()).isEqualTo(200);

        List<RecordedCall> calls = sim.calls();
        assertThat(calls).hasSize(9);
        assertThat(calls.get(0).authenticated()).isFalse();
        assertThat(calls.get(6).authenticated()).isTrue();
        assertThat(calls.get(7).status()).isEqualTo(401);
        assertThat(calls).allMatch(c -> c.endpoint() == Endpoint.ISO_LIST && VPS.equals(c.vpsId()));
    }

    @Test
    void scopesAndForbiddenVpsAre403() throws Exception {
        sim.vps(VPS);
        sim.addToken("reader", Set.of(HostUpSimulator.READ_VM));
        sim.addToken("writer", Set.of(HostUpSimulator.WRITE_VM, HostUpSimulator.WRITE_STORAGE));
        String fromUrlPath = "/api/v2/vps/" + VPS + "/iso/actions/from-url";
        String body = "{\"url\":\"https://x.example/a.iso\",\"filename\":\"a.iso\"}";

        assertProblem(send("POST", fromUrlPath, body, "Bearer reader", Duration.ofSeconds(5)), 403, "forbidden");
        assertThat(send("GET", "/api/v2/vps/" + VPS + "/iso", null, "Bearer reader", Duration.ofSeconds(5))
                .statusCode()).isEqualTo(200);
        assertProblem(send("GET", "/api/v2/vps/" + VPS + "/iso", null, "Bearer writer", Duration.ofSeconds(5)),
                403, "forbidden");
        assertThat(send("POST", fromUrlPath, body, "Bearer writer", Duration.ofSeconds(5)).statusCode())
                .isEqualTo(202);

        sim.vps("vps_other").forbidden();
        assertProblem(list("vps_other"), 403, "forbidden");
        assertProblem(fromUrl("vps_other", "a.iso"), 403, "forbidden");
        assertProblem(call("POST", "/api/v2/vps/vps_other/iso/actions/mount", "{\"isoId\":\"iso_x\"}"), 403,
                "forbidden");
        sim.vps("vps_other").forbidden(false);
        assertThat(list("vps_other").statusCode()).isEqualTo(200);
    }

    @Test
    void validationErrorsCarryPointers() throws Exception {
        sim.vps(VPS);
        String path = "/api/v2/vps/" + VPS + "/iso/actions/from-url";

        HttpResponse<String> notJson = call("POST", path, "this is not json");
        assertProblem(notJson, 400, "invalid_request");
        assertThat(json(notJson).get("errors").get(0).get("pointer").asText()).isEmpty();
        assertProblem(call("POST", path, "[1,2]"), 400, "invalid_request");
        assertProblem(call("POST", path, ""), 400, "invalid_request");

        HttpResponse<String> empty = call("POST", path, "{}");
        assertProblem(empty, 400, "invalid_request");
        assertThat(errors(empty)).containsExactly(Map.entry("/url", "missing_required"),
                Map.entry("/filename", "missing_required"));

        HttpResponse<String> bad = call("POST", path,
                "{\"url\":\"ftp://x.example/a.iso\",\"filename\":\"../etc/a.iso\",\"decompress\":\"rar\"}");
        assertThat(errors(bad)).containsExactly(Map.entry("/url", "invalid_value"),
                Map.entry("/filename", "invalid_format"), Map.entry("/decompress", "invalid_value"));

        assertThat(errors(call("POST", path, "{\"url\":\"http://exa mple/a\",\"filename\":\"a\\\\b.iso\"}")))
                .containsExactly(Map.entry("/url", "invalid_format"), Map.entry("/filename", "invalid_format"));
        String longName = "a".repeat(252) + ".iso";
        assertThat(errors(call("POST", path, "{\"url\":\"https://x.example/a\",\"filename\":\"" + longName + "\"}")))
                .containsExactly(Map.entry("/filename", "too_long"));
        assertThat(errors(call("POST", path, "{\"url\":\"https://x.example/a\",\"filename\":\"notes.txt\"}")))
                .containsExactly(Map.entry("/filename", "invalid_value"));
        // valid edge cases: upper-case extension, .img, every decompress value
        assertThat(call("POST", path, "{\"url\":\"https://x.example/a\",\"filename\":\"A.ISO\"}").statusCode())
                .isEqualTo(202);
        for (String d : new String[] {"none", "gzip", "lzo", "zstd", "bzip2"}) {
            assertThat(call("POST", path, "{\"url\":\"http://x.example/a\",\"filename\":\"d-" + d
                    + ".img\",\"decompress\":\"" + d + "\"}").statusCode()).isEqualTo(202);
        }
        assertThat(sim.count(VPS, Endpoint.FROM_URL)).isEqualTo(14);
    }

    private static List<Map.Entry<String, String>> errors(HttpResponse<String> r) throws IOException {
        assertProblem(r, 400, "invalid_request");
        List<Map.Entry<String, String>> out = new ArrayList<>();
        json(r).get("errors").forEach(e -> {
            assertThat(e.get("detail").asText()).isNotBlank();
            out.add(Map.entry(e.get("pointer").asText(), e.get("code").asText()));
        });
        return out;
    }

    @Test
    void rateLimitSecondsStyle() throws Exception {
        sim.vps(VPS);
        sim.rateLimit(3, Duration.ofSeconds(60), RetryAfterStyle.SECONDS);
        Instant t0 = clock.instant(); // 09:59:00 -> window ends 10:00:00
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = list(VPS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
            assertThat(r.headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(2 - i));
            assertThat(r.headers().firstValue("X-RateLimit-Reset")).hasValue("2026-11-27T10:00:00Z");
        }
        HttpResponse<String> limited = list(VPS);
        assertProblem(limited, 429, "rate_limited");
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("60");
        assertThat(limited.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
        assertThat(Instant.parse(limited.headers().firstValue("X-RateLimit-Reset").orElseThrow()))
                .isEqualTo(t0.plusSeconds(60));

        clock.advance(Duration.ofMillis(30_500));
        assertThat(list(VPS).headers().firstValue("Retry-After")).hasValue("30"); // ceil(29.5)
        // rejected (401) calls count as well, per key: another key has its own window
        sim.addToken("other", HostUpSimulator.ALL_SCOPES);
        assertThat(send("GET", "/api/v2/vps/" + VPS + "/iso", null, "Bearer other", Duration.ofSeconds(5))
                .headers().firstValue("X-RateLimit-Remaining")).hasValue("2");
        assertThat(send("GET", "/api/v2/vps/" + VPS + "/iso", null, null, Duration.ofSeconds(5))
                .headers().firstValue("X-RateLimit-Limit")).hasValue("3");

        clock.advance(Duration.ofSeconds(30));
        HttpResponse<String> again = list(VPS);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.headers().firstValue("X-RateLimit-Remaining")).hasValue("2");

        sim.rateLimit(0, null, null);
        assertThat(list(VPS).headers().firstValue("X-RateLimit-Limit")).isEmpty();
        assertThat(sim.calls()).extracting(RecordedCall::status)
                .containsExactly(200, 200, 200, 429, 429, 200, 401, 200, 200);
    }

    @Test
    void rateLimitHttpDateStyle() throws Exception {
        sim.vps(VPS);
        sim.rateLimit(1, Duration.ofSeconds(10), RetryAfterStyle.HTTP_DATE);
        assertThat(list(VPS).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = fromUrl(VPS, UBUNTU);
        assertProblem(limited, 429, "rate_limited");
        String retryAfter = limited.headers().firstValue("Retry-After").orElseThrow();
        assertThat(retryAfter).isEqualTo("Fri, 27 Nov 2026 09:59:10 GMT");
        assertThat(ZonedDateTime.parse(retryAfter, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                .isEqualTo(Instant.parse(limited.headers().firstValue("X-RateLimit-Reset").orElseThrow()));
        assertThat(sim.count(VPS, Endpoint.FROM_URL)).isEqualTo(1); // rejected calls are recorded
        assertThat(sim.vps(VPS).libraryNames()).doesNotContain(UBUNTU);
    }

    @Test
    void scriptedResponsesAreServedInOrder() throws Exception {
        Instant until = Instant.parse("2026-11-27T10:00:05Z");
        sim.vps(VPS)
                .enqueue(Endpoint.ISO_LIST, ScriptedResponse.legacyRateLimited(7))
                .enqueue(Endpoint.ISO_LIST, ScriptedResponse.html(502))
                .enqueue(Endpoint.ISO_LIST, ScriptedResponse.rateLimited("garbage"))
                .enqueue(Endpoint.ISO_LIST, ScriptedResponse.rateLimitedUntil(until))
                .enqueue(Endpoint.ISO_LIST, ScriptedResponse.vpsNotReady().withHeader("X-Debug", "yes"))
                .enqueue(Endpoint.ISO_LIST, ScriptedResponse.problem(503, "upstream_unavailable"));

        HttpResponse<String> legacy = list(VPS);
        assertThat(legacy.statusCode()).isEqualTo(429);
        assertThat(legacy.headers().firstValue("Retry-After")).isEmpty();
        assertThat(legacy.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode lb = json(legacy);
        assertThat(lb.get("error").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(lb.get("retryAfter").asInt()).isEqualTo(7);
        assertThat(lb.get("requestId").asText()).startsWith("req_");
        assertThat(lb.get("message").asText()).isNotBlank();

        HttpResponse<String> html = list(VPS);
        assertThat(html.statusCode()).isEqualTo(502);
        assertThat(html.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(html.body()).contains("<html>").contains("502 Bad Gateway");

        HttpResponse<String> garbage = list(VPS);
        assertProblem(garbage, 429, "rate_limited");
        assertThat(garbage.headers().firstValue("Retry-After")).hasValue("garbage");

        assertThat(list(VPS).headers().firstValue("Retry-After")).hasValue("Fri, 27 Nov 2026 10:00:05 GMT");

        HttpResponse<String> notReady = list(VPS);
        assertProblem(notReady, 409, "vps_not_ready");
        assertThat(notReady.headers().firstValue("X-Debug")).hasValue("yes");

        assertProblem(list(VPS), 503, "upstream_unavailable");
        assertThat(list(VPS).statusCode()).isEqualTo(200); // queue drained: normal again
        assertThat(sim.vps(VPS).queued(Endpoint.ISO_LIST)).isZero();

        // scripted job polls and from-url
        sim.vps(VPS).enqueue(Endpoint.FROM_URL, ScriptedResponse.problem(500, "internal_error"))
                .enqueue(Endpoint.JOB, ScriptedResponse.rateLimited("0"));
        assertProblem(fromUrl(VPS, UBUNTU), 500, "internal_error");
        String pollUrl = json(fromUrl(VPS, UBUNTU)).get("operation").get("pollUrl").asText();
        assertThat(poll(pollUrl).headers().firstValue("Retry-After")).hasValue("0");
        assertThat(poll(pollUrl).statusCode()).isEqualTo(200);
    }

    @Test
    void delayedResponseProvokesClientTimeout() throws Exception {
        sim.vps(VPS).enqueue(Endpoint.ISO_LIST, ScriptedResponse.delayed(Duration.ofMillis(700)));
        long start = System.nanoTime();
        assertThatThrownBy(() -> send("GET", "/api/v2/vps/" + VPS + "/iso", null, "Bearer " + TOKEN,
                Duration.ofMillis(200))).isInstanceOf(HttpTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(650));
        // the next call is normal and fast
        assertThat(list(VPS).statusCode()).isEqualTo(200);

        // a delayed answer that the client waits for is the normal one
        sim.vps(VPS).enqueue(Endpoint.ISO_LIST, ScriptedResponse.delayed(Duration.ofMillis(150))
                .withHeader("X-Slow", "1"));
        long s2 = System.nanoTime();
        HttpResponse<String> slow = list(VPS);
        assertThat(Duration.ofNanos(System.nanoTime() - s2)).isGreaterThanOrEqualTo(Duration.ofMillis(140));
        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat(slow.headers().firstValue("X-Slow")).hasValue("1");
        assertThat(json(slow).has("available")).isTrue();
    }

    @Test
    void unknownVpsRoutesAndMethods() throws Exception {
        assertProblem(list("vps_unknown"), 404, "vps_not_found");
        assertProblem(fromUrl("vps_unknown", UBUNTU), 404, "vps_not_found");
        assertProblem(call("POST", "/api/v2/vps/vps_unknown/iso/actions/mount", "{\"isoId\":\"iso_x\"}"), 404,
                "vps_not_found");
        assertThat(sim.count("vps_unknown", Endpoint.ISO_LIST)).isEqualTo(1);

        sim.vps(VPS);
        assertProblem(call("GET", "/api/v2/vpss", null), 404, "route_not_found");
        assertProblem(call("GET", "/api/v2/vps/", null), 404, "route_not_found");
        assertProblem(call("GET", "/api/v2/vps/" + VPS + "/iso/", null), 404, "route_not_found");
        assertProblem(call("POST", "/api/v2/vps/" + VPS + "/iso/actions/reboot", "{}"), 404, "route_not_found");
        HttpResponse<String> wrongMethod = call("GET", "/api/v2/vps/" + VPS + "/iso/actions/from-url", null);
        assertProblem(wrongMethod, 405, "method_not_allowed");
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST");
        assertProblem(call("DELETE", "/api/jobs/job_x", null), 405, "method_not_allowed");
        assertThat(sim.count(VPS, Endpoint.FROM_URL)).isZero();
    }

    @Test
    void tokenNeverEchoedEvenWhenSentInTheWrongPlace() throws Exception {
        sim.vps(VPS);
        // token in the path and in an unknown header: still not echoed back (instance echoes the path, so use
        // a header and a query string only)
        HttpResponse<String> r = send("GET", "/api/v2/vps/" + VPS + "/iso?key=abc", null, "Bearer " + TOKEN + "x",
                Duration.ofSeconds(5));
        assertProblem(r, 401, "unauthorized");
        assertThat(r.body()).doesNotContain(TOKEN);
        assertThat(SimulatorOptions.builder().token(TOKEN).build().toString()).doesNotContain(TOKEN);
        // all other checks happen in @AfterEach for every test
    }

    @Test
    void concurrentPollsAndReset() throws Exception {
        sim.vps(VPS).jobDuration(Duration.ofSeconds(10));
        String pollUrl = json(fromUrl(VPS, UBUNTU)).get("operation").get("pollUrl").asText();
        HttpRequest req = HttpRequest.newBuilder(URI.create(sim.baseUrl() + pollUrl))
                .header("Authorization", "Bearer " + TOKEN).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Integer>>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    List<Integer> statuses = new ArrayList<>();
                    for (int i = 0; i < 25; i++) {
                        statuses.add(http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode());
                    }
                    return statuses;
                }));
            }
            for (Future<List<Integer>> f : futures) {
                assertThat(f.get()).hasSize(25).containsOnly(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(sim.count(VPS, Endpoint.JOB)).isEqualTo(200);
        assertThat(sim.calls()).hasSize(201);

        sim.reset();
        assertThat(sim.calls()).isEmpty();
        assertThat(sim.count(VPS, Endpoint.JOB)).isZero();
        assertProblem(poll(pollUrl), 404, "job_not_found");
        assertProblem(list(VPS), 404, "vps_not_found");
    }
}
