package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.simulator.ScriptedResponse;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * from-url is not idempotent: HostUp queues the download and then the answer is lost (a reset, a
 * 500, an HTML 502 from a proxy, a stall past the request timeout). The worker must not queue it
 * again: it watches the ISO library, where the file appears, and reports success with one download.
 */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class AmbiguousSubmitTest extends EndToEndSupport {

    @Test
    void answerLostToAResetAfterTheJobWasQueued() {
        assertOneDownloadAndCompleted(ScriptedResponse.reset());
    }

    @Test
    void answerLostToA500AfterTheJobWasQueued() {
        assertOneDownloadAndCompleted(ScriptedResponse.problem(500, "internal_error"));
    }

    @Test
    void answerLostToAProxyHtml502AfterTheJobWasQueued() {
        assertOneDownloadAndCompleted(ScriptedResponse.html(502));
    }

    private void assertOneDownloadAndCompleted(ScriptedResponse lostAs) {
        String vps = vps();
        // A download far shorter than the test profile's ambiguity window (300 ms): it is listed before the window ends.
        sim().vps(vps).jobDuration(Duration.ofMillis(50)).loseFromUrlAnswers(1, lostAs);
        String rid = uid("lost");
        send(request(rid, vps, "lost-answer.iso"));
        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("completed");
        assertThat(event.get("isoId").asText()).startsWith("iso_");
        assertThat(sim().downloadsStarted(vps, "lost-answer.iso")).as("downloads started").isEqualTo(1);
        assertThat(sim().count(vps, Endpoint.FROM_URL)).as("from-url calls").isEqualTo(1);
    }

    @Test
    void aFailedSecondJobIsNotReportedWhenTheFileIsInTheLibrary() {
        String vps = vps();
        // Two lost answers to a slow download: the worker calls again after the ambiguity window, and the
        // second job is refused ("refusing to override existing file") once the first has delivered.
        sim().vps(vps).jobDuration(Duration.ofMillis(1500)).loseFromUrlAnswers(1, ScriptedResponse.problem(500, "internal_error"));
        String rid = uid("override");
        send(request(rid, vps, "override.iso"));
        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).as("the file is there: %s", event).isEqualTo("completed");
    }
}
