package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
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

class HostUpSimulatorTest {

    private static final String TOKEN = "hup_live_s3cr3t_TOKEN_value_123";
    private static final String VPS = "vps_01hxtest";
    private static final String UBUNTU = "ubuntu-24.04-live-server-amd64.iso";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T09:59:00Z"));
    private HostUpSimulator sim;
    /** Every response seen, to check the token never leaks. */
    private final List<HttpResponse<String>> seen = new ArrayList<>();

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

    private HttpResponse<String> send(String method, String path, String body, String authHeader, Duration timeout)
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

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return send(method, path, body, "Bearer " + TOKEN, Duration.ofSeconds(5));
    }

    private HttpResponse<String> fromUrl(String vps, String filename) throws Exception {
        return call("POST", "/api/v2/vps/" + vps + "/iso/actions/from-url",
                "{\"url\":\"https://releases.example.com/" + filename + "\",\"filename\":\"" + filename + "\"}");
    }

    private HttpResponse<String> list(String vps) throws Exception {
        return call("GET", "/api/v2/vps/" + vps + "/iso", null);
    }

    private HttpResponse<String> poll(String pollUrl) throws Exception {
        return call("GET", pollUrl, null);
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    private static List<String> listedNames(HttpResponse<String> listResponse) throws IOException {
        List<String> names = new ArrayList<>();
        json(listResponse).get("available").forEach(n -> names.add(n.get("name").isNull() ? null : n.get("name").asText()));
        return names;
    }

    private static void assertProblem(HttpResponse<String> r, int status, String code) throws IOException {
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

    // ------------------------------------------------------------------ tests

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
    void queuedDownloadCompletesV1Envelope() throws Exception {
        sim.vps(VPS);
        HttpResponse<String> q = fromUrl(VPS, UBUNTU);
        assertThat(q.statusCode()).isEqualTo(202);
        JsonNode op = json(q).get("operation");
        assertThat(op.get("status").asText()).isEqualTo("queued");
        String jobId = op.get("jobId").asText();
        assertThat(jobId).matches("job_[0-9a-z]{26}");
        assertThat(op.get("pollUrl").asText()).isEqualTo("/api/jobs/" + jobId);
        assertThat(op.get("result").isNull()).isTrue();

        HttpResponse<String> p = poll(op.get("pollUrl").asText());
        assertThat(p.statusCode()).isEqualTo(200);
        JsonNode root = json(p);
        assertThat(root.get("success").asBoolean()).isTrue();
        assertThat(root.get("requestId").asText()).isEqualTo(p.headers().firstValue("X-Request-Id").orElseThrow());
        JsonNode d = root.get("data");
        assertThat(d.get("jobId").asText()).isEqualTo(jobId);
        assertThat(d.get("state").asText()).isEqualTo("completed");
        assertThat(d.get("status").asText()).isEqualTo("completed");
        assertThat(d.get("progress").asInt()).isEqualTo(100);
        assertThat(d.get("progressDetails").get("percentage").asInt()).isEqualTo(100);
        assertThat(d.get("isCompleted").asBoolean()).isTrue();
        assertThat(d.get("isFailed").asBoolean()).isFalse();
        assertThat(d.get("isRunning").asBoolean()).isFalse();
        assertThat(d.get("isWaiting").asBoolean()).isFalse();
        assertThat(Instant.parse(d.get("createdAt").asText())).isEqualTo(clock.instant());
        assertThat(Instant.parse(d.get("finishedAt").asText())).isEqualTo(clock.instant());
        assertThat(d.has("attemptsMade")).isTrue(); // unknown extras present

        HttpResponse<String> l = list(VPS);
        JsonNode entry = null;
        for (JsonNode n : json(l).get("available")) {
            if (UBUNTU.equals(n.get("name").asText(null))) {
                entry = n;
            }
        }
        assertThat(entry).isNotNull();
        assertThat(entry.get("id").asText()).startsWith("iso_");
        assertThat(entry.get("format").asText()).isEqualTo("iso");
        assertThat(entry.get("sizeGb").isNumber()).isTrue();
        assertThat(listedNames(l)).contains("debian-12.iso"); // stock ISOs

        // the same filename again: 200 completed, pollUrl null
        HttpResponse<String> again = fromUrl(VPS, UBUNTU);
        assertThat(again.statusCode()).isEqualTo(200);
        JsonNode op2 = json(again).get("operation");
        assertThat(op2.get("status").asText()).isEqualTo("completed");
        assertThat(op2.get("jobId").asText()).startsWith("job_");
        assertThat(op2.get("pollUrl").isNull()).isTrue();
        assertThat(sim.count(VPS, Endpoint.FROM_URL)).isEqualTo(2);
        assertThat(sim.count(VPS, Endpoint.JOB)).isEqualTo(1);
        assertThat(sim.count(VPS, Endpoint.ISO_LIST)).isEqualTo(1);
    }

    @Test
    void queuedDownloadCompletesV2Envelope() throws Exception {
        sim.vps(VPS).envelope(JobEnvelope.V2_OPERATION);
        JsonNode op = json(fromUrl(VPS, UBUNTU)).get("operation");
        JsonNode p = json(poll(op.get("pollUrl").asText()));
        assertThat(p.has("success")).isFalse();
        JsonNode o = p.get("operation");
        assertThat(o.get("status").asText()).isEqualTo("completed");
        assertThat(o.get("jobId").asText()).isEqualTo(op.get("jobId").asText());
        assertThat(o.get("pollUrl").asText()).isEqualTo(op.get("pollUrl").asText());
        assertThat(o.get("result").get("filename").asText()).isEqualTo(UBUNTU);
        assertThat(o.has("type")).isTrue(); // unknown extra
    }

    @Test
    void jobDurationIsRespectedOnTheClock() throws Exception {
        sim.vps(VPS).jobDuration(Duration.ofSeconds(100));
        String pollUrl = json(fromUrl(VPS, UBUNTU)).get("operation").get("pollUrl").asText();

        JsonNode d = json(poll(pollUrl)).get("data");
        assertThat(d.get("status").asText()).isEqualTo("queued");
        assertThat(d.get("state").asText()).isEqualTo("waiting");
        assertThat(d.get("isWaiting").asBoolean()).isTrue();
        assertThat(d.get("finishedAt").isNull()).isTrue();

        clock.advance(Duration.ofSeconds(50));
        d = json(poll(pollUrl)).get("data");
        assertThat(d.get("status").asText()).isEqualTo("in_progress");
        assertThat(d.get("isRunning").asBoolean()).isTrue();
        assertThat(d.get("progress").asInt()).isEqualTo(50);
        assertThat(d.get("progressDetails").get("current").asLong())
                .isEqualTo(d.get("progressDetails").get("total").asLong() / 2);
        assertThat(listedNames(list(VPS))).doesNotContain(UBUNTU);

        sim.vps(VPS).envelope(JobEnvelope.V2_OPERATION);
        clock.advance(Duration.ofSeconds(30));
        JsonNode o = json(poll(pollUrl)).get("operation");
        assertThat(o.get("status").asText()).isEqualTo("in_progress");
        assertThat(o.get("result").isNull()).isTrue();

        // the ISO appears once the job's time has passed, even without a poll
        clock.advance(Duration.ofSeconds(20));
        assertThat(listedNames(list(VPS))).contains(UBUNTU);
        assertThat(json(poll(pollUrl)).get("operation").get("status").asText()).isEqualTo("completed");
    }

    @Test
    void jobDurationWithTheSystemClock() throws Exception {
        try (HostUpSimulator real = HostUpSimulator.start(TOKEN)) {
            real.vps(VPS).jobDuration(Duration.ofMillis(300));
            HttpRequest submit = HttpRequest.newBuilder(URI.create(real.baseUrl() + "/api/v2/vps/" + VPS
                            + "/iso/actions/from-url")).header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://x/a.iso\",\"filename\":\"a.iso\"}"))
                    .build();
            String pollUrl = json(http.send(submit, HttpResponse.BodyHandlers.ofString())).get("operation")
                    .get("pollUrl").asText();
            HttpRequest pollReq = HttpRequest.newBuilder(URI.create(real.baseUrl() + pollUrl))
                    .header("Authorization", "Bearer " + TOKEN).build();
            long start = System.nanoTime();
            String status;
            do {
                status = json(http.send(pollReq, HttpResponse.BodyHandlers.ofString())).get("data").get("status")
                        .asText();
                Thread.sleep(20);
            } while (!status.equals("completed") && System.nanoTime() - start < 3_000_000_000L);
            assertThat(status).isEqualTo("completed");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        }
    }

    @Test
    void failedJobsInBothEnvelopes() throws Exception {
        VpsScript script = sim.vps(VPS).failJobs("HTTP 404 Not Found");
        String pollUrl = json(fromUrl(VPS, UBUNTU)).get("operation").get("pollUrl").asText();
        JsonNode d = json(poll(pollUrl)).get("data");
        assertThat(d.get("isFailed").asBoolean()).isTrue();
        assertThat(d.get("isCompleted").asBoolean()).isFalse();
        assertThat(d.get("state").asText()).isEqualTo("failed");
        assertThat(d.get("status").asText()).isEqualTo("failed");
        assertThat(d.get("result").get("error").asText()).isEqualTo("download_failed");
        assertThat(d.get("result").get("message").asText()).isEqualTo("HTTP 404 Not Found");

        script.envelope(JobEnvelope.V2_OPERATION);
        JsonNode o = json(poll(pollUrl)).get("operation");
        assertThat(o.get("status").asText()).isEqualTo("failed");
        assertThat(o.get("result").get("error").asText()).isEqualTo("download_failed");
        assertThat(o.get("result").get("message").asText()).isEqualTo("HTTP 404 Not Found");

        assertThat(listedNames(list(VPS))).doesNotContain(UBUNTU);
        assertThat(script.libraryNames()).doesNotContain(UBUNTU);
        // a failed download leaves nothing behind: the next submit queues again
        script.failJobs(null);
        assertThat(fromUrl(VPS, UBUNTU).statusCode()).isEqualTo(202);
    }

    @Test
    void jobUnknownForTheFirstPolls() throws Exception {
        sim.vps(VPS).jobUnknownForPolls(2);
        String pollUrl = json(fromUrl(VPS, UBUNTU)).get("operation").get("pollUrl").asText();
        assertProblem(poll(pollUrl), 404, "job_not_found");
        assertProblem(poll(pollUrl), 404, "job_not_found");
        assertThat(json(poll(pollUrl)).get("data").get("isCompleted").asBoolean()).isTrue();
        assertThat(sim.count(VPS, Endpoint.JOB)).isEqualTo(3);
        assertThat(sim.calls(VPS, Endpoint.JOB)).extracting(RecordedCall::status).containsExactly(404, 404, 200);
        // a never-known job
        assertProblem(poll("/api/jobs/job_doesnotexist"), 404, "job_not_found");
    }

    @Test
    void listingLagAndNeverList() throws Exception {
        sim.vps(VPS).listingLag(2);
        assertThat(fromUrl(VPS, UBUNTU).statusCode()).isEqualTo(202);
        assertThat(listedNames(list(VPS))).doesNotContain(UBUNTU);
        assertThat(listedNames(list(VPS))).doesNotContain(UBUNTU);
        assertThat(listedNames(list(VPS))).contains(UBUNTU);
        assertThat(listedNames(list(VPS))).contains(UBUNTU);

        sim.vps("vps_never").neverList();
        String pollUrl = json(fromUrl("vps_never", "ghost.iso")).get("operation").get("pollUrl").asText();
        assertThat(json(poll(pollUrl)).get("data").get("isCompleted").asBoolean()).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(listedNames(list("vps_never"))).doesNotContain("ghost.iso");
        }
        assertThat(fromUrl("vps_never", "ghost.iso").statusCode()).isEqualTo(200); // the file does exist
    }

    @Test
    void preexistingIsoAnswers200AndCanBeMounted() throws Exception {
        sim.vps(VPS).preexisting(UBUNTU, "iso_ubuntu");
        HttpResponse<String> r = fromUrl(VPS, UBUNTU);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode op = json(r).get("operation");
        assertThat(op.get("status").asText()).isEqualTo("completed");
        assertThat(op.get("pollUrl").isNull()).isTrue();

        JsonNode l = json(list(VPS));
        assertThat(l.get("bootOrder").isNull()).isTrue();
        assertThat(l.get("mounted")).isEmpty();
        assertThat(l.get("actions").get("canUpload").get("allowed").asBoolean()).isTrue();
        assertThat(l.get("availableDevices").get(0).get("device").asText()).isEqualTo("ide2");
        JsonNode debian = null;
        for (JsonNode n : l.get("available")) {
            if ("debian-12.iso".equals(n.get("name").asText(null))) {
                debian = n;
            }
        }
        assertThat(debian).isNotNull();
        assertThat(debian.get("displayName").isNull()).isTrue();

        HttpResponse<String> m = call("POST", "/api/v2/vps/" + VPS + "/iso/actions/mount",
                "{\"isoId\":\"iso_ubuntu\",\"device\":\"ide2\"}");
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(json(m).get("device").asText()).isEqualTo("ide2");
        JsonNode mounted = json(list(VPS)).get("mounted");
        assertThat(mounted).hasSize(1);
        assertThat(mounted.get(0).get("isoId").asText()).isEqualTo("iso_ubuntu");
        assertThat(mounted.get(0).get("device").asText()).isEqualTo("ide2");
        assertThat(sim.vps(VPS).mounts()).containsEntry("ide2", "iso_ubuntu");

        assertProblem(call("POST", "/api/v2/vps/" + VPS + "/iso/actions/mount", "{\"isoId\":\"iso_nope\"}"), 404,
                "iso_not_found");
        assertProblem(call("POST", "/api/v2/vps/" + VPS + "/iso/actions/mount", "{\"device\":\"sata9\"}"), 400,
                "invalid_request");
        assertThat(json(call("POST", "/api/v2/vps/" + VPS + "/iso/actions/unmount", "{\"device\":\"ide2\"}"))
                .get("device").asText()).isEqualTo("ide2");
        assertThat(json(list(VPS)).get("mounted")).isEmpty();
    }

    @Test
    void uploadNotAllowed() throws Exception {
        sim.vps(VPS).canUpload(false, "The VPS has a pending order.", "pending_order");
        JsonNode cu = json(list(VPS)).get("actions").get("canUpload");
        assertThat(cu.get("allowed").asBoolean()).isFalse();
        assertThat(cu.get("code").asText()).isEqualTo("pending_order");
        assertProblem(fromUrl(VPS, UBUNTU), 409, "upload_not_allowed");
    }

    @Test
    void resubmittingStartsASecondDownloadThatProxmoxRefusesToInstall() throws Exception {
        sim.vps(VPS).jobDuration(Duration.ofSeconds(60));
        String job1 = json(fromUrl(VPS, UBUNTU)).get("operation").get("jobId").asText();
        clock.advance(Duration.ofSeconds(1));
        String job2 = json(fromUrl(VPS, UBUNTU)).get("operation").get("jobId").asText();
        assertThat(job2).isNotEqualTo(job1);
        assertThat(sim.count(VPS, Endpoint.FROM_URL)).isEqualTo(2);
        assertThat(sim.downloadsStarted(VPS, UBUNTU)).isEqualTo(2);
        assertThat(sim.secondDownloads()).isEqualTo(1);
        assertThat(sim.filesDownloadedTwice()).containsExactly(Map.entry(VPS + "/" + UBUNTU, 2L));
        clock.advance(Duration.ofSeconds(61));
        assertThat(listedNames(list(VPS)).stream().filter(UBUNTU::equals)).hasSize(1);
        assertThat(json(poll("/api/jobs/" + job1)).get("data").get("isCompleted").asBoolean()).isTrue();
        JsonNode second = json(poll("/api/jobs/" + job2)).get("data");
        assertThat(second.get("isFailed").asBoolean()).isTrue();
        assertThat(second.get("status").asText()).isEqualTo("failed");
        assertThat(second.get("result").get("message").asText()).isEqualTo("refusing to override existing file");
        assertThat(sim.jobTimes()).extracting(JobTimes::failed).containsExactly(false, true);

        // the file is in place now: from-url answers 200 and starts no download
        HttpResponse<String> again = fromUrl(VPS, UBUNTU);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(sim.downloadsStarted(VPS, UBUNTU)).isEqualTo(2);
        assertThat(sim.downloadsStarted(VPS, "other.iso")).isZero();
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
        assertProblem(call("GET", "/api/v2/vps", null), 404, "route_not_found");
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
