package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.simulator.JobEnvelope;
import dev.hostupiso.worker.simulator.ScriptedResponse;
import dev.hostupiso.worker.localstack.TopicWatcher;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The request → from-url → poll → ISO id → outcome path, through a real broker and HTTP. */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class WorkerFlowTest extends EndToEndSupport {

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void queuedDownloadIsPolledToCompletionAndTheMountableIdPublished() throws Exception {
        String vps = vps();
        sim().vps(vps).jobDuration(Duration.ofMillis(600)).envelope(JobEnvelope.V1_GENERIC);
        String rid = uid("queued");
        send(request(rid, vps, "ubuntu-24.04-live-server-amd64.iso"));

        ConsumerRecord<String, String> record = awaitOutcomeRecord(rid);
        JsonNode event = parse(record.value());
        assertThat(event.get("status").asText()).isEqualTo("completed");
        assertThat(event.get("isoId").asText()).isEqualTo(isoIdOf(vps, "ubuntu-24.04-live-server-amd64.iso"));
        assertThat(event.get("jobId").asText()).startsWith("job_");
        assertThat(event.get("alreadyExisted").asBoolean()).isFalse();
        assertThat(event.get("attempts").asInt()).isEqualTo(1);
        assertThat(event.get("vpsId").asText()).isEqualTo(vps);
        assertThat(Instant.parse(event.get("finishedAt").asText())).isAfter(Instant.parse(event.get("submittedAt").asText()));
        assertThat(TopicWatcher.header(record, "ce_type")).isEqualTo("dev.hostupiso.iso.download.completed");
        assertThat(TopicWatcher.header(record, "ce_specversion")).isEqualTo("1.0");
        assertThat(TopicWatcher.header(record, "ce_subject")).isEqualTo(rid);
        assertThat(TopicWatcher.header(record, "ce_source")).isEqualTo("/hostup-iso-worker");
        assertThat(TopicWatcher.header(record, "ce_time")).isEqualTo(event.get("finishedAt").asText());
        assertThat(TopicWatcher.header(record, "ce_id")).isNotBlank();
        assertThat(sim().count(vps, Endpoint.FROM_URL)).isEqualTo(1);
        assertThat(sim().count(vps, Endpoint.JOB)).isGreaterThanOrEqualTo(2); // the job ran 600 ms, polls start at 100 ms
    }

    @Test
    void v2OperationEnvelopeOnPollsIsUnderstoodToo() throws Exception {
        String vps = vps();
        sim().vps(vps).jobDuration(Duration.ofMillis(300)).envelope(JobEnvelope.V2_OPERATION);
        String rid = uid("v2");
        send(request(rid, vps, "debian-13-netinst.iso"));
        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("completed");
        assertThat(event.get("isoId").asText()).isEqualTo(isoIdOf(vps, "debian-13-netinst.iso"));
    }

    @Test
    void isoAlreadyInTheLibraryIsAnsweredWithoutPolling() {
        String vps = vps();
        sim().vps(vps).preexisting("rescue.img", "iso_preexisting42");
        String rid = uid("exists");
        send(request(rid, vps, "rescue.img"));
        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("completed");
        assertThat(event.get("alreadyExisted").asBoolean()).isTrue();
        assertThat(event.get("isoId").asText()).isEqualTo("iso_preexisting42");
        assertThat(sim().count(vps, Endpoint.JOB)).isZero();
    }

    @Test
    void failedJobGivesJobFailedWithTheJobsOwnDetail() {
        String vps = vps();
        sim().vps(vps).failJobs("origin answered 404 for the ISO");
        String rid = uid("jobfail");
        send(request(rid, vps, "missing.iso"));
        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("failed");
        assertThat(event.get("error").get("code").asText()).isEqualTo("job_failed");
        assertThat(event.get("error").get("detail").asText()).contains("origin answered 404 for the ISO");
        assertThat(event.get("error").get("retryable").asBoolean()).isFalse();
        assertThat(event.get("error").has("httpStatus")).as("the worker's own code carries no HTTP status").isFalse();
        assertThat(event.get("jobId").asText()).startsWith("job_");
    }

    @Test
    void hostUpValidationErrorPassesThroughWithItsPointers() {
        String vps = vps();
        sim().vps(vps).enqueue(Endpoint.FROM_URL, ScriptedResponse.invalidRequest("/url", "The URL redirects", "redirect_not_allowed"));
        String rid = uid("bad400");
        send(request(rid, vps, "x.iso"));
        JsonNode error = awaitOutcome(rid).get("error");
        assertThat(error.get("code").asText()).isEqualTo("invalid_request");
        assertThat(error.get("httpStatus").asInt()).isEqualTo(400);
        assertThat(error.get("retryable").asBoolean()).isFalse();
        assertThat(error.get("upstreamRequestId").asText()).startsWith("req_");
        assertThat(error.get("errors")).hasSize(1);
        assertThat(error.get("errors").get(0).get("pointer").asText()).isEqualTo("/url");
        assertThat(error.get("errors").get(0).get("code").asText()).isEqualTo("redirect_not_allowed");
        assertThat(error.get("errors").get(0).get("detail").asText()).isEqualTo("The URL redirects");
        assertThat(sim().count(vps, Endpoint.FROM_URL)).isEqualTo(1);
    }

    @Test
    void requestBreakingTheContractIsRefusedLocallyWithoutAnyApiCall() {
        String vps = vps();
        sim().vps(vps);
        String rid = uid("local");
        send(request(rid, vps, "../../etc/passwd").put("url", "ftp://mirror.example.org/x.iso").put("decompress", "xz"));
        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("failed");
        assertThat(event.get("error").get("code").asText()).isEqualTo("invalid_request");
        assertThat(event.get("error").get("retryable").asBoolean()).isFalse();
        assertThat(event.get("error").get("errors").findValuesAsText("pointer")).containsExactlyInAnyOrder("/url", "/filename", "/decompress");
        assertThat(sim().calls().stream().filter(c -> vps.equals(c.vpsId()))).isEmpty();
    }

    @Test
    void unknownVpsIsNotRetried() {
        String vps = vps(); // never registered: the simulator answers 404 vps_not_found
        String rid = uid("nf");
        send(request(rid, vps, "x.iso"));
        JsonNode error = awaitOutcome(rid).get("error");
        assertThat(error.get("code").asText()).isEqualTo("vps_not_found");
        assertThat(error.get("httpStatus").asInt()).isEqualTo(404);
        assertThat(error.get("retryable").asBoolean()).isFalse();
        assertThat(sim().count(vps, Endpoint.FROM_URL)).isEqualTo(1);
    }

    @Test
    void forbiddenVpsIsNotRetried() {
        String vps = vps();
        sim().vps(vps).forbidden();
        String rid = uid("fb");
        send(request(rid, vps, "x.iso"));
        JsonNode error = awaitOutcome(rid).get("error");
        assertThat(error.get("code").asText()).isEqualTo("forbidden");
        assertThat(error.get("httpStatus").asInt()).isEqualTo(403);
        assertThat(error.get("retryable").asBoolean()).isFalse();
        assertThat(sim().count(vps, Endpoint.FROM_URL)).isEqualTo(1);
    }

    @Test
    void twoServerErrorsThenSuccess() {
        String vps = vps();
        sim().vps(vps).enqueue(Endpoint.FROM_URL, ScriptedResponse.problem(500, "internal_error"))
                .enqueue(Endpoint.FROM_URL, ScriptedResponse.problem(500, "internal_error"));
        String rid = uid("500s");
        send(request(rid, vps, "x.iso"));
        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("completed");
        assertThat(event.get("attempts").asInt()).isEqualTo(3);
        assertThat(sim().count(vps, Endpoint.FROM_URL)).isEqualTo(3);
    }

    @Test
    void vpsNotReadyThenSuccess() {
        String vps = vps();
        sim().vps(vps).enqueue(Endpoint.FROM_URL, ScriptedResponse.vpsNotReady());
        String rid = uid("notready");
        send(request(rid, vps, "x.iso"));
        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("completed");
        assertThat(event.get("attempts").asInt()).isEqualTo(2);
    }

    @Test
    void proxyHtmlErrorOnAPollIsRetried() {
        String vps = vps();
        sim().vps(vps).enqueue(Endpoint.JOB, ScriptedResponse.html(502));
        String rid = uid("html");
        send(request(rid, vps, "x.iso"));
        assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
        assertThat(sim().count(vps, Endpoint.JOB)).isGreaterThanOrEqualTo(2);
    }

    @Test
    void jobUnknownOnTheFirstPollsIsRetried() {
        String vps = vps();
        sim().vps(vps).jobUnknownForPolls(2);
        String rid = uid("race");
        send(request(rid, vps, "x.iso"));
        assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
        assertThat(sim().count(vps, Endpoint.JOB)).isEqualTo(3);
    }

    @Test
    void isoListLaggingTheJobIsReRead() {
        String vps = vps();
        sim().vps(vps).listingLag(2);
        String rid = uid("lag");
        send(request(rid, vps, "x.iso"));
        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("completed");
        assertThat(sim().count(vps, Endpoint.ISO_LIST)).isEqualTo(3);
    }

    @Test
    void isoNeverListedFailsAfterTheConfiguredReads() {
        String vps = vps();
        sim().vps(vps).neverList();
        String rid = uid("unlisted");
        send(request(rid, vps, "x.iso"));
        JsonNode error = awaitOutcome(rid).get("error");
        assertThat(error.get("code").asText()).isEqualTo("iso_not_listed");
        assertThat(error.get("retryable").asBoolean()).isTrue();
        assertThat(sim().count(vps, Endpoint.ISO_LIST)).isEqualTo(4); // %test.iso.resolve-attempts
    }

    @Test
    void deadlinesEndSlowJobsAndPersistentServerErrors() {
        // Both run concurrently to share the 8 s deadline of the test profile.
        String slowVps = vps();
        sim().vps(slowVps).jobDuration(Duration.ofMinutes(5));
        String brokenVps = vps();
        for (int i = 0; i < 200; i++) {
            sim().vps(brokenVps).enqueue(Endpoint.FROM_URL, ScriptedResponse.problem(503, "upstream_unavailable"));
        }
        String slow = uid("slow");
        String broken = uid("broken");
        send(request(slow, slowVps, "big.iso"));
        send(request(broken, brokenVps, "big.iso"));

        JsonNode slowEvent = awaitOutcome(slow);
        assertThat(slowEvent.get("error").get("code").asText()).isEqualTo("job_timeout");
        // The download runs on at HostUp: sending the request again would start a second one.
        assertThat(slowEvent.get("error").get("retryable").asBoolean()).isFalse();
        assertThat(slowEvent.get("error").get("detail").asText()).contains("may still complete");
        assertThat(Duration.between(Instant.parse(slowEvent.get("submittedAt").asText()),
                Instant.parse(slowEvent.get("finishedAt").asText()))).isGreaterThanOrEqualTo(Duration.ofSeconds(8));

        JsonNode brokenEvent = awaitOutcome(broken);
        assertThat(brokenEvent.get("error").get("code").asText()).isEqualTo("upstream_unavailable");
        assertThat(brokenEvent.get("error").get("httpStatus").asInt()).isEqualTo(503);
        assertThat(brokenEvent.get("error").get("retryable").asBoolean()).as("every call refused: nothing queued").isTrue();
        assertThat(sim().count(brokenVps, Endpoint.FROM_URL)).isGreaterThan(3);
    }

    @Test
    void metricsAreExposedInPrometheusFormat() throws Exception {
        String vps = vps();
        sim().vps(vps);
        String rid = uid("metrics");
        send(request(rid, vps, "x.iso"));
        awaitOutcome(rid);
        HttpResponse<String> r = get(metrics);
        assertThat(r.body())
                .contains("isoworker_requests_total{code=\"none\",outcome=\"completed\"")
                .contains("isoworker_api_calls_total{endpoint=\"from_url\",status=\"202\"")
                .contains("isoworker_api_call_duration_seconds_bucket{endpoint=\"job\"")
                .contains("isoworker_job_polls_count")
                .contains("isoworker_job_duration_seconds_count{outcome=\"completed\"")
                .contains("isoworker_jobs_in_flight")
                .contains("isoworker_jobs_oldest_age_seconds")
                .contains("isoworker_max_in_flight")
                .contains("isoworker_job_timeout_seconds 8.0")
                .contains("isoworker_api_key_rejected 0.0")
                .contains("isoworker_intake_paused")
                .contains("isoworker_rate_limit_remaining");
    }
}
