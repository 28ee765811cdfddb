package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.simulator.RecordedCall;
import dev.hostupiso.worker.testsupport.LoopbackResolver;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The URL preflight in the running worker (resolve mode, the default): a redirecting download link
 * is followed to its final URL, which is what from-url receives; the outcome says so, redacted.
 */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class PreflightFlowTest extends EndToEndSupport {

    private static LoopbackOrigin origin;

    @BeforeAll
    static void startOrigin() throws Exception {
        origin = new LoopbackOrigin();
        LoopbackResolver.map("mirror.test", "127.0.0.1");
    }

    @AfterAll
    static void stopOrigin() {
        origin.close();
    }

    @Test
    void aRedirectingUrlIsResolvedAndTheFinalUrlSubmitted() throws Exception {
        String signed = origin.url("127.0.0.1", "/pool/ubuntu-24.04.3-live-server-amd64.iso?X-Amz-Signature=s3cr3t&X-Amz-Expires=300");
        origin.redirect("/latest/ubuntu.iso", signed);
        String vps = vps();
        sim().vps(vps).jobDuration(Duration.ofMillis(200));
        String rid = uid("resolved");
        send(request(rid, vps, "ubuntu-24.04.3-live-server-amd64.iso").put("url", origin.url("mirror.test", "/latest/ubuntu.iso")));

        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("completed");
        assertThat(event.get("preflight").get("status").asText()).isEqualTo("resolved");
        assertThat(event.get("preflight").get("redirects").asInt()).isEqualTo(1);
        assertThat(event.get("preflight").has("reason")).isFalse();
        assertThat(event.get("resolvedUrl").asText())
                .isEqualTo("http://127.0.0.1:" + origin.port() + "/…/ubuntu-24.04.3-live-server-amd64.iso?…");
        assertThat(event.toString()).doesNotContain("s3cr3t").doesNotContain("X-Amz");

        List<RecordedCall> submits = sim().calls(vps, Endpoint.FROM_URL);
        assertThat(submits).hasSize(1);
        assertThat(parse(submits.get(0).body()).get("url").asText()).as("HostUp gets the final URL, signature and all")
                .isEqualTo(signed);
        // The origin sends no Content-Length to HEAD; that is no refusal of HEAD, so no GET follows.
        assertThat(origin.seen).noneMatch(line -> line.startsWith("GET "));
        assertThat(origin.seen).containsSubsequence("HEAD /latest/ubuntu.iso",
                "HEAD /pool/ubuntu-24.04.3-live-server-amd64.iso?X-Amz-Signature=s3cr3t&X-Amz-Expires=300");
    }

    @Test
    void aUrlTheWorkerCannotSeeIsSubmittedAsGivenAndSaysWhy() {
        String vps = vps();
        sim().vps(vps).jobDuration(Duration.ofMillis(200));
        String rid = uid("skipped");
        JsonNode request = request(rid, vps, "debian-13-netinst.iso"); // https://releases.example.org/…: unknown to the stub
        send(request);
        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("completed");
        assertThat(event.get("preflight").get("status").asText()).isEqualTo("skipped");
        assertThat(event.get("preflight").get("reason").asText()).isEqualTo("host not probed (unknown, or not an address the worker may reach)");
        assertThat(event.has("resolvedUrl")).isFalse();
        assertThat(parse(sim().calls(vps, Endpoint.FROM_URL).get(0).body()).get("url").asText())
                .isEqualTo(request.get("url").asText());
    }

    @Test
    void aMissingFileFailsBeforeAnyApiCall() {
        String vps = vps();
        sim().vps(vps);
        String rid = uid("notfound");
        send(request(rid, vps, "gone.iso").put("url", origin.url("127.0.0.1", "/nothing-here")));
        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("failed");
        assertThat(event.get("error").get("code").asText()).isEqualTo("url_not_found");
        assertThat(event.get("error").get("retryable").asBoolean()).isFalse();
        assertThat(event.get("preflight").get("status").asText()).isEqualTo("refused");
        assertThat(event.get("apiCalls").get("total").asInt()).isZero();
        assertThat(sim().calls().stream().filter(c -> vps.equals(c.vpsId()))).isEmpty();
    }
}
