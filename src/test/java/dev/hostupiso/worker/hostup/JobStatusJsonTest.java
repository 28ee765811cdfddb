package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.wire.JobStatus.State;
import org.junit.jupiter.api.Test;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.JobStatus;

import static org.assertj.core.api.Assertions.assertThat;

class JobStatusJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void genericEnvelopeRunningWithProgress() {
        String body = """
                {"success":true,"timestamp":"2026-11-27T10:00:00Z","requestId":"req_1","data":{
                  "jobId":"job_1","state":"active","status":"in_progress","progress":10,
                  "progressDetails":{"percentage":42,"message":"downloading","current":1,"total":2},
                  "progressMessage":"","result":{},"isCompleted":false,"isFailed":false,"isRunning":true,
                  "isWaiting":false,"createdAt":"…","finishedAt":null,"somethingNew":{"x":1}}}""";
        JobStatus s = JobStatusJson.parse(body, mapper).orElseThrow();
        assertThat(s.state()).isEqualTo(State.RUNNING);
        assertThat(s.progress()).contains(42);
        assertThat(s.jobId()).contains("job_1");
    }

    @Test
    void genericEnvelopeCompletedByFlagOrWord() {
        assertThat(JobStatusJson.parse("{\"data\":{\"isCompleted\":true}}", mapper).orElseThrow().state()).isEqualTo(State.COMPLETED);
        assertThat(JobStatusJson.parse("{\"data\":{\"state\":\"completed\"}}", mapper).orElseThrow().state()).isEqualTo(State.COMPLETED);
        assertThat(JobStatusJson.parse("{\"data\":{\"status\":\"COMPLETED\"}}", mapper).orElseThrow().state()).isEqualTo(State.COMPLETED);
    }

    @Test
    void genericEnvelopeFailureCarriesResultDetail() {
        String body = "{\"data\":{\"isFailed\":true,\"status\":\"failed\",\"result\":{\"error\":\"download_failed\",\"message\":\"404 from origin\"}}}";
        JobStatus s = JobStatusJson.parse(body, mapper).orElseThrow();
        assertThat(s.state()).isEqualTo(State.FAILED);
        assertThat(s.failureDetail()).contains("download_failed: 404 from origin");
    }

    @Test
    void operationEnvelope() {
        JobStatus queued = JobStatusJson.parse("{\"operation\":{\"status\":\"queued\",\"jobId\":\"job_9\",\"pollUrl\":\"/api/jobs/job_9\",\"result\":null}}", mapper).orElseThrow();
        assertThat(queued.state()).isEqualTo(State.PENDING);
        assertThat(queued.pollUrl()).contains("/api/jobs/job_9");
        JobStatus failed = JobStatusJson.parse("{\"operation\":{\"status\":\"failed\",\"result\":\"checksum mismatch\"}}", mapper).orElseThrow();
        assertThat(failed.state()).isEqualTo(State.FAILED);
        assertThat(failed.failureDetail()).contains("checksum mismatch");
        assertThat(JobStatusJson.parse("{\"operation\":{\"status\":\"completed\",\"jobId\":\"job_9\",\"pollUrl\":null}}", mapper)
                .orElseThrow().pollUrl()).isEmpty();
    }

    @Test
    void notAnEnvelope() {
        assertThat(JobStatusJson.parse("<html>502</html>", mapper)).isEmpty();
        assertThat(JobStatusJson.parse("[]", mapper)).isEmpty();
        assertThat(JobStatusJson.parse("{\"hello\":1}", mapper)).isEmpty();
        assertThat(JobStatusJson.parse("", mapper)).isEmpty();
    }

    @Test
    void everyFailurePathIsBounded() {
        String big = "y".repeat(2_000_000);
        for (String body : new String[] {
                "{\"data\":{\"isFailed\":true,\"result\":null,\"progressMessage\":\"" + big + "\"}}",
                "{\"operation\":{\"status\":\"failed\",\"result\":\"" + big + "\"}}",
                "{\"operation\":{\"status\":\"failed\",\"result\":{\"error\":\"" + big + "\",\"message\":\"" + big + "\"}}}",
                "{\"operation\":{\"status\":\"failed\",\"result\":{\"other\":\"" + big + "\"}}}"}) {
            JobStatus s = JobStatusJson.parse(body, mapper).orElseThrow();
            assertThat(s.failureDetail()).hasValueSatisfying(d -> assertThat(d).hasSize(Bounds.DETAIL).endsWith(Bounds.MARKER));
        }
    }

    @Test
    void overlongIdentifiersAreTreatedAsAbsentNotCut() {
        JobStatus s = JobStatusJson.parse("{\"operation\":{\"status\":\"queued\",\"jobId\":\"" + "j".repeat(129) + "\",\"pollUrl\":\"/"
                + "p".repeat(2048) + "\"}}", mapper).orElseThrow();
        assertThat(s.jobId()).isEmpty();
        assertThat(s.pollUrl()).isEmpty();
        assertThat(JobStatusJson.parse("{\"operation\":{\"status\":\"queued\",\"jobId\":\"" + "j".repeat(128) + "\"}}", mapper)
                .orElseThrow().jobId()).hasValueSatisfying(id -> assertThat(id).hasSize(128));
    }

    @Test
    void progressInBytesIsReadFromProgressDetailsAndIsFinerThanThePercentage() {
        String body = """
                {"data":{"status":"in_progress","progress":33,
                  "progressDetails":{"percentage":33,"current":1000,"total":2999}}}""";
        JobStatus s = JobStatusJson.parse(body, mapper).orElseThrow();
        assertThat(s.bytes()).contains(new JobStatus.Bytes(1000, 2999));
        assertThat(s.fraction()).hasValueSatisfying(f -> assertThat(f).isCloseTo(1000 / 2999.0, org.assertj.core.data.Offset.offset(1e-9)));
    }

    @Test
    void theV2OperationEnvelopeCarriesProgressToo() {
        String body = """
                {"operation":{"status":"in_progress","jobId":"job_1","progress":55,
                  "progressDetails":{"percentage":55.5,"current":555,"total":1000}}}""";
        JobStatus s = JobStatusJson.parse(body, mapper).orElseThrow();
        assertThat(s.progress()).contains(55);
        assertThat(s.bytes()).contains(new JobStatus.Bytes(555, 1000));
        assertThat(JobStatusJson.parse("{\"operation\":{\"status\":\"in_progress\",\"progress\":12}}", mapper).orElseThrow()
                .fraction()).contains(0.12);
    }

    @Test
    void placeholderOrNonsenseBytesSayNothing() {
        for (String details : new String[] {"{\"current\":0,\"total\":0}", "{\"current\":5,\"total\":4}",
                "{\"current\":-1,\"total\":4}", "{\"current\":\"1\",\"total\":4}", "{\"current\":1.5,\"total\":4}"}) {
            JobStatus s = JobStatusJson.parse("{\"data\":{\"status\":\"in_progress\",\"progressDetails\":" + details + "}}", mapper)
                    .orElseThrow();
            assertThat(s.bytes()).as(details).isEmpty();
            assertThat(s.fraction()).as(details).isEmpty();
        }
        assertThat(JobStatusJson.parse("{\"data\":{\"status\":\"in_progress\",\"progressDetails\":{\"current\":1,\"total\":4}}}",
                mapper).orElseThrow().progress()).contains(25);
    }
}
