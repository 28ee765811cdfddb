package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ISO_URL_PREFLIGHT=check}: a redirecting URL fails fast with {@code url_redirects}, before any API call. */
@QuarkusTest
@TestProfile(PreflightCheckModeTest.CheckMode.class)
@WithTestResource(WorkerTestEnvironment.class)
class PreflightCheckModeTest extends EndToEndSupport {

    public static class CheckMode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("iso.url-preflight", "check");
        }
    }

    private static LoopbackOrigin origin;

    @BeforeAll
    static void startOrigin() throws Exception {
        origin = new LoopbackOrigin();
    }

    @AfterAll
    static void stopOrigin() {
        origin.close();
    }

    @Test
    void aRedirectFailsWithTheRedactedChain() {
        origin.redirect("/latest/ubuntu.iso", origin.url("127.0.0.1", "/dl/t0k3n/ubuntu-24.04.iso?sig=s3cr3t"));
        String vps = vps();
        sim().vps(vps);
        String rid = uid("check");
        send(request(rid, vps, "ubuntu-24.04.iso").put("url", origin.url("127.0.0.1", "/latest/ubuntu.iso")));

        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("failed");
        JsonNode error = event.get("error");
        assertThat(error.get("code").asText()).isEqualTo("url_redirects");
        assertThat(error.get("retryable").asBoolean()).isFalse();
        assertThat(error.get("detail").asText()).contains("HTTP 302")
                .contains("http://127.0.0.1:" + origin.port() + "/…/ubuntu-24.04.iso?…");
        assertThat(event.get("preflight").get("status").asText()).isEqualTo("refused");
        assertThat(event.get("preflight").get("redirects").asInt()).isEqualTo(1);
        assertThat(event.toString()).doesNotContain("s3cr3t").doesNotContain("t0k3n");
        assertThat(event.get("apiCalls").get("total").asInt()).isZero();
        assertThat(sim().calls().stream().filter(c -> vps.equals(c.vpsId()))).isEmpty();
        assertThat(origin.seen).containsExactly("HEAD /latest/ubuntu.iso");
    }
}
