package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostupiso.worker.job.IsoJobRunner;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobState;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.simulator.ScriptedResponse;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import dev.hostupiso.worker.wire.ApiCalls;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobResult;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests that ask for a mount: mounted once after the ISO is resolved, or failed as {@code mount_failed}. */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class MountTest extends EndToEndSupport {

    @Inject
    IsoJobRunner runner;

    /** A job as the ledger holds it after a crash between recording MOUNTING and recording the mount's result. */
    private static JobContext crashedWhileMounting(String vps, String filename, String device) {
        IsoRequest r = new IsoRequest(uid("resumed"), vps, "https://releases.example.org/" + filename, filename, "none", null,
                new IsoRequest.MountRequest(device));
        Instant now = Instant.now();
        return JobContext.resumed(r, now, now.plusSeconds(8), 0, 1, JobState.MOUNTING, "job_1", "/api/jobs/job_1", 1, 1, 2,
                false, new ApiCalls(1, 2, 1, 1));
    }

    /** Mounts an ISO as a client would (what the crashed owner's call did). */
    private static void mountDirectly(String vps, String isoId, String device) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(sim().baseUrl() + "/api/v2/vps/" + vps + "/iso/actions/mount"))
                .header("Authorization", "Bearer " + WorkerTestEnvironment.TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"isoId\":\"" + isoId + "\",\"device\":\"" + device + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void aJobResumedInMountingWhoseMountWentThroughIsNotMountedAgain() throws Exception {
        String vps = vps();
        sim().vps(vps).preexisting("crashed.iso", "iso_crashed1");
        mountDirectly(vps, "iso_crashed1", "ide3");

        JobResult result = runner.run(crashedWhileMounting(vps, "crashed.iso", "ide3")).await().atMost(Duration.ofSeconds(20));

        assertThat(result.completed()).isTrue();
        assertThat(result.isoId()).isEqualTo("iso_crashed1");
        assertThat(result.mounted().device()).isEqualTo("ide3");
        assertThat(sim().count(vps, Endpoint.MOUNT)).as("only the crashed owner's call").isEqualTo(1);
        assertThat(result.apiCalls().mount()).as("the crashed owner's call, from the ledger").isEqualTo(1);
    }

    @Test
    void aJobResumedInMountingWhoseMountNeverHappenedMountsOnce() {
        String vps = vps();
        sim().vps(vps).preexisting("never.iso", "iso_never1");

        JobResult result = runner.run(crashedWhileMounting(vps, "never.iso", "ide2")).await().atMost(Duration.ofSeconds(20));

        assertThat(result.completed()).isTrue();
        assertThat(result.mounted().device()).isEqualTo("ide2");
        assertThat(sim().count(vps, Endpoint.MOUNT)).isEqualTo(1);
        assertThat(sim().vps(vps).mounts()).isEqualTo(Map.of("ide2", "iso_never1"));
        assertThat(result.apiCalls().mount()).isEqualTo(2);
    }

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
