package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator's jobs: both envelopes, durations on the clock, failures, the library, second downloads. */
class SimulatorJobsTest extends SimulatorHttpHarness {

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
    void aSlowMountAnswers202AndShowsInTheMountsOnlyWhenItsJobCompletes() throws Exception {
        sim.vps(VPS).preexisting(UBUNTU, "iso_ubuntu").mountDuration(Duration.ofSeconds(10));
        HttpResponse<String> m = call("POST", "/api/v2/vps/" + VPS + "/iso/actions/mount",
                "{\"isoId\":\"iso_ubuntu\",\"device\":\"ide2\"}");
        assertThat(m.statusCode()).isEqualTo(202);
        String pollUrl = json(m).get("operation").get("pollUrl").asText();
        assertThat(json(list(VPS)).get("mounted")).as("still mounting").isEmpty();
        assertThat(json(poll(pollUrl)).get("data").get("state").asText()).isNotEqualTo("completed");
        clock.advance(Duration.ofSeconds(10));
        assertThat(json(poll(pollUrl)).get("data").get("state").asText()).isEqualTo("completed");
        assertThat(sim.vps(VPS).mounts()).containsEntry("ide2", "iso_ubuntu");
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
}
