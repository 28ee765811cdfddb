package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.simulator.ScriptedResponse;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests that ask for a mount: mounted once after the ISO is resolved, or failed as {@code mount_failed}. */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class MountTest extends EndToEndSupport {

    private static ObjectNode mountRequest(String rid, String vps, String filename, String device) {
        ObjectNode r = request(rid, vps, filename);
        ObjectNode mount = r.putObject("mount");
        if (device != null) {
            mount.put("device", device);
        }
        return r;
    }

    @Test
    void downloadedIsoIsMountedOnceOnTheAskedDrive() throws Exception {
        String vps = vps();
        sim().vps(vps);
        String rid = uid("mount");
        send(mountRequest(rid, vps, "m.iso", "ide3"));

        JsonNode e = awaitOutcome(rid);
        assertThat(e.get("status").asText()).isEqualTo("completed");
        assertThat(e.get("mounted").get("device").asText()).isEqualTo("ide3");
        assertThat(e.get("apiCalls").get("mount").asInt()).isEqualTo(1);
        assertThat(e.has("account")).as("no account named, none echoed").isFalse();
        assertThat(sim().count(vps, Endpoint.MOUNT)).isEqualTo(1);
        assertThat(sim().vps(vps).mounts()).isEqualTo(Map.of("ide3", e.get("isoId").asText()));
    }

    @Test
    void withoutADeviceHostUpChoosesAndTheOutcomeSaysWhich() {
        String vps = vps();
        sim().vps(vps);
        String rid = uid("mount-any");
        send(mountRequest(rid, vps, "any.iso", null));

        JsonNode e = awaitOutcome(rid);
        assertThat(e.get("status").asText()).isEqualTo("completed");
        assertThat(e.get("mounted").get("device").asText()).isEqualTo("ide2"); // the simulator's choice, from its answer
        assertThat(sim().count(vps, Endpoint.MOUNT)).isEqualTo(1);
    }

    @Test
    void requestWithoutMountNeverCallsIt() {
        String vps = vps();
        sim().vps(vps);
        String rid = uid("no-mount");
        send(request(rid, vps, "plain.iso"));

        JsonNode e = awaitOutcome(rid);
        assertThat(e.get("status").asText()).isEqualTo("completed");
        assertThat(e.has("mounted")).isFalse();
        assertThat(sim().count(vps, Endpoint.MOUNT)).isZero();
    }

    @Test
    void anAnswerLostAfterTheMountIsCheckedInTheLibraryNotRepeated() {
        String vps = vps();
        sim().vps(vps).enqueue(Endpoint.MOUNT, ScriptedResponse.afterHandling(ScriptedResponse.html(502)));
        String rid = uid("mount-502");
        send(mountRequest(rid, vps, "lost.iso", "ide2"));

        JsonNode e = awaitOutcome(rid);
        assertThat(e.get("status").asText()).isEqualTo("completed");
        assertThat(e.get("mounted").get("device").asText()).isEqualTo("ide2");
        assertThat(sim().count(vps, Endpoint.MOUNT)).as("mounted once: the library showed it").isEqualTo(1);
    }

    @Test
    void aBodylessAnswerIsAMountOnTheAskedDrive() {
        String vps = vps();
        sim().vps(vps).enqueue(Endpoint.MOUNT, ScriptedResponse.afterHandling(ScriptedResponse.raw(204, null, "")));
        String rid = uid("mount-204");
        send(mountRequest(rid, vps, "nobody.iso", "ide3"));

        JsonNode e = awaitOutcome(rid);
        assertThat(e.get("status").asText()).isEqualTo("completed");
        assertThat(e.get("mounted").get("device").asText()).isEqualTo("ide3");
    }

    @Test
    void hostUpRefusingTheMountIsMountFailedWithItsOwnCodeKept() {
        String vps = vps();
        sim().vps(vps).enqueue(Endpoint.MOUNT, ScriptedResponse.problem(409, "vps_not_running", "The VPS must be stopped."));
        String rid = uid("mount-409");
        send(mountRequest(rid, vps, "refused.iso", "ide2"));

        JsonNode e = awaitOutcome(rid);
        assertThat(e.get("status").asText()).isEqualTo("failed");
        JsonNode error = e.get("error");
        assertThat(error.get("code").asText()).isEqualTo("mount_failed");
        assertThat(error.get("httpStatus").asInt()).isEqualTo(409);
        assertThat(error.get("detail").asText()).isEqualTo("The VPS must be stopped.");
        assertThat(error.get("retryable").asBoolean()).isFalse();
        assertThat(error.get("errors").get(0).get("pointer").asText()).isEmpty();
        assertThat(error.get("errors").get(0).get("code").asText()).isEqualTo("vps_not_running");
        assertThat(e.get("apiCalls").get("mount").asInt()).isEqualTo(1);
        assertThat(sim().vps(vps).libraryNames()).as("the download itself succeeded").contains("refused.iso");
    }

    @Test
    void aDriveHostUpDoesNotHaveIsMountFailedWithItsPointers() {
        String vps = vps();
        sim().vps(vps);
        String rid = uid("mount-ide9");
        send(mountRequest(rid, vps, "nodrive.iso", "ide9")); // valid for the contract, unknown to HostUp

        JsonNode error = awaitOutcome(rid).get("error");
        assertThat(error.get("code").asText()).isEqualTo("mount_failed");
        assertThat(error.get("errors").get(0).get("code").asText()).isEqualTo("invalid_request");
        assertThat(error.get("errors").get(1).get("pointer").asText()).isEqualTo("/device");
        assertThat(sim().vps(vps).mounts()).isEmpty();
    }
}
