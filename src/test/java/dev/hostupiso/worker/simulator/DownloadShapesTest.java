package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.testsupport.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The download shapes as a poller sees them, in both envelopes and in bytes. */
class DownloadShapesTest {

    private static final String TOKEN = "shape-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T10:00:00Z"));
    private HostUpSimulator sim;

    @BeforeEach
    void start() {
        sim = HostUpSimulator.start(SimulatorOptions.builder().token(TOKEN).clock(clock).build());
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private JsonNode call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).header("Authorization", "Bearer " + TOKEN);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return JSON.readTree(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Starts a 100 s download and polls it every 10 s: the percentage of each poll (-1 once finished). */
    private List<Integer> percentages(String vps, String filename, JobEnvelope envelope) throws Exception {
        sim.vps(vps).jobDuration(Duration.ofSeconds(100)).envelope(envelope);
        String pollUrl = call("POST", "/api/v2/vps/" + vps + "/iso/actions/from-url",
                "{\"url\":\"https://h/" + filename + "\",\"filename\":\"" + filename + "\"}").get("operation").get("pollUrl").asText();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(10));
            JsonNode job = call("GET", pollUrl, null);
            JsonNode n = envelope == JobEnvelope.V2_OPERATION ? job.get("operation") : job.get("data");
            JsonNode details = n.get("progressDetails");
            if (i >= 1 && i <= 8) { // in progress: bytes agree with the percentage, in both envelopes
                assertThat(details).as("progressDetails at %d0 s", i + 1).isNotNull();
                long current = details.get("current").asLong();
                long total = details.get("total").asLong();
                assertThat(total).isPositive();
                assertThat((int) Math.floor(100.0 * current / total)).isBetween(n.get("progress").asInt() - 1, n.get("progress").asInt());
            }
            String status = n.get("status").asText();
            out.add(status.equals("completed") || status.equals("failed") ? -1 - (status.equals("failed") ? n.get("progress").asInt() : 0)
                    : n.get("progress").asInt());
        }
        return out;
    }

    @Test
    void linearIsTheDefaultAndUnchanged() throws Exception {
        assertThat(percentages("vps_a", "a.iso", JobEnvelope.V1_GENERIC)).containsExactly(10, 20, 30, 40, 50, 60, 70, 80, 90, -1);
    }

    @Test
    void slowStartThenFast() throws Exception {
        sim.vps("vps_c").downloadShape(DownloadShape.SLOW_START);
        List<Integer> p = percentages("vps_c", "c.iso", JobEnvelope.V2_OPERATION);
        assertThat(p).containsExactly(2, 5, 7, 10, 25, 40, 55, 70, 85, -1);
    }

    @Test
    void stallsPlateau() throws Exception {
        List<Integer> p = percentages("vps_d", "d.shape-stalls.iso", JobEnvelope.V1_GENERIC);
        assertThat(p).containsExactly(15, 30, 30, 30, 45, 60, 60, 68, 84, -1);
    }

    @Test
    void aJumpShowsNothingUntilDone() throws Exception {
        assertThat(percentages("vps_e", "e.shape-jump.iso", JobEnvelope.V2_OPERATION)).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, -1);
    }

    @Test
    void aVerifyingTailHoldsAt99() throws Exception {
        assertThat(percentages("vps_f", "f.shape-verifying-tail.iso", JobEnvelope.V1_GENERIC))
                .containsExactly(16, 33, 49, 66, 82, 99, 99, 99, 99, -1);
    }

    @Test
    void failAt80FailsAfterReaching80() throws Exception {
        List<Integer> p = percentages("vps_g", "g.shape-fail-at-80.iso", JobEnvelope.V2_OPERATION);
        assertThat(p).containsExactly(8, 16, 24, 32, 40, 48, 56, 64, 72, -81);
        assertThat(sim.jobTimes()).anySatisfy(j -> assertThat(j.failed()).isTrue());
    }

    @Test
    void filenamesNameShapesLongestFirst() {
        assertThat(DownloadShape.inFilename("x.SHAPE-fail-at-80.iso")).contains(DownloadShape.FAIL_AT_80);
        assertThat(DownloadShape.inFilename("ubuntu.iso")).isEmpty();
        assertThat(DownloadShape.of("Verifying-Tail")).isEqualTo(DownloadShape.VERIFYING_TAIL);
    }
}
