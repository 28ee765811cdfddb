package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobState;
import dev.hostupiso.worker.wire.ApiCalls;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.OutcomeEvent;
import dev.hostupiso.worker.wire.PreflightReport;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class LedgerEntryTest {

    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final IsoRequest request = new IsoRequest("r-1", "vps_1", "https://h/x.iso", "x.iso", "gzip");
    private final Instant t0 = Instant.parse("2026-11-27T10:00:00Z");

    private JobContext context() {
        return new JobContext(request, t0, t0.plusSeconds(3600), 2, 1);
    }

    @Test
    void walksTheStateMachineKeepingItsSource() {
        LedgerEntry received = LedgerEntry.received(context(), 41, t0);
        assertThat(received.state()).isEqualTo(JobState.RECEIVED);
        assertThat(received.isFrom(2, 41)).isTrue();
        assertThat(received.isFrom(2, 42)).isFalse();
        assertThat(received.isFrom(1, 41)).isFalse();

        JobContext submitted = JobContext.resumed(request, t0, t0.plusSeconds(3600), 2, 1, JobState.SUBMITTED, "job_9",
                "/api/jobs/job_9", 1, 1, 0, false);
        LedgerEntry s = received.progressed(submitted, JobState.SUBMITTED, t0.plusSeconds(1));
        assertThat(s.state()).isEqualTo(JobState.SUBMITTED);
        assertThat(s.pollUrl()).isEqualTo("/api/jobs/job_9");
        assertThat(s.sourceOffset()).isEqualTo(41);
        assertThat(s.state().isTerminal()).isFalse();

        OutcomeEvent event = new OutcomeEvent("r-1", "vps_1", "x.iso", null, "completed", "iso_1", "job_9", false, 1,
                new ApiCalls(1, 3, 1, 0), null, null, null, t0, t0.plusSeconds(60), null);
        LedgerEntry done = s.finished(event, t0.plusSeconds(60));
        assertThat(done.state()).isEqualTo(JobState.COMPLETED);
        assertThat(done.state().isTerminal()).isTrue();
        assertThat(done.outcome()).isEqualTo(event);

        OutcomeEvent failed = OutcomeEvent.failed(request, "job_9", 1, JobError.of("job_timeout", "t", "d", true), t0, t0);
        assertThat(s.finished(failed, t0).state()).isEqualTo(JobState.FAILED);
    }

    @Test
    void aResumedJobKnowsTheFilesSizeAndTheMountJobItWasPolling() {
        JobContext mounting = JobContext.resumed(request, t0, t0.plusSeconds(3600), 2, 1, JobState.MOUNTING, "job_9",
                "/api/jobs/job_9", 1, 1, 4, false).withKnown(3_000_000_000L, "/api/jobs/mnt_1");
        JobContext ctx = LedgerEntry.received(context(), 7, t0).progressed(mounting, JobState.MOUNTING, t0).toContext(1);
        assertThat(ctx.expectedBytes()).isEqualTo(3_000_000_000L);
        assertThat(ctx.mountPollUrl()).isEqualTo("/api/jobs/mnt_1");
    }

    @Test
    void resumedContextContinuesWhereTheEntryStopped() {
        JobContext submitted = JobContext.resumed(request, t0, t0.plusSeconds(3600), 2, 1, JobState.SUBMITTED, "job_9",
                "/api/jobs/job_9", 1, 1, 4, false);
        JobContext ctx = LedgerEntry.received(context(), 7, t0).progressed(submitted, JobState.SUBMITTED, t0).toContext(1);
        assertThat(ctx.state()).isEqualTo(JobState.SUBMITTED);
        assertThat(ctx.jobId()).isEqualTo("job_9");
        assertThat(ctx.pollUrl()).isEqualTo("/api/jobs/job_9");
        assertThat(ctx.polls()).isEqualTo(4);
        assertThat(ctx.fromUrlCalls()).isEqualTo(1);
        assertThat(ctx.partition()).isEqualTo(2);
        assertThat(ctx.deadline()).isEqualTo(t0.plusSeconds(3600));
    }

    @Test
    void roundTripsThroughJsonIncludingTheOutcome() throws Exception {
        OutcomeEvent failed = OutcomeEvent.failed(request, null, 0, JobError.of("invalid_request", "t", "d", false), t0, t0);
        LedgerEntry entry = LedgerEntry.received(context(), 3, t0).finished(failed, t0.plusSeconds(1));
        String json = mapper.writeValueAsString(entry);
        assertThat(json).contains("\"state\":\"FAILED\"").contains("\"version\":2").doesNotContain("\"completed\"");
        assertThat(mapper.readValue(json, LedgerEntry.class)).isEqualTo(entry);
    }

    @Test
    void thePreflightsFindingIsRecordedSoAResumedJobDoesNotProbeAgain() throws Exception {
        String signed = "https://cdn.example.net/ubuntu.iso?X-Amz-Signature=abc";
        JobContext probed = JobContext.resumed(request, t0, t0.plusSeconds(3600), 2, 1, JobState.SUBMITTING, null, null,
                0, 1, 0, false).withPreflight(signed, new PreflightReport(PreflightReport.RESOLVED, null, 2));
        LedgerEntry submitting = LedgerEntry.received(context(), 5, t0).progressed(probed, JobState.SUBMITTING, t0);
        LedgerEntry read = mapper.readValue(mapper.writeValueAsString(submitting), LedgerEntry.class);
        assertThat(read).isEqualTo(submitting);
        JobContext resumed = read.toContext(2);
        assertThat(resumed.resolvedUrl()).isEqualTo(signed);
        assertThat(resumed.preflight()).isEqualTo(new PreflightReport(PreflightReport.RESOLVED, null, 2));
        OutcomeEvent event = OutcomeEvent.failed(request, null, 0, JobError.of("job_timeout", "t", "d", true), t0, t0);
        assertThat(read.finished(event, t0).resolvedUrl()).as("kept to the end, like the request").isEqualTo(signed);
    }

    @Test
    void aResolvedUrlThatCouldOutgrowTheRecordBoundIsDroppedWhole() {
        JobContext ctx = context();
        for (String bad : new String[] {"https://h/x.iso?\u0001", "https://h/\"x.iso", "https://h/ä.iso", "https://h/" + "a".repeat(2048)}) {
            ctx.withPreflight(bad, new PreflightReport(PreflightReport.RESOLVED, null, 1));
            assertThat(LedgerEntry.received(context(), 1, t0).progressed(ctx, JobState.SUBMITTING, t0).resolvedUrl()).as(bad).isNull();
        }
        ctx.withPreflight("https://h/x.iso?sig=a%20b", null);
        assertThat(LedgerEntry.received(context(), 1, t0).progressed(ctx, JobState.SUBMITTING, t0).resolvedUrl())
                .isEqualTo("https://h/x.iso?sig=a%20b");
    }

    @Test
    void aRecordWithoutPreflightFieldsLoadsWithNone() throws Exception {
        String old = mapper.writeValueAsString(LedgerEntry.received(context(), 5, t0));
        assertThat(old).doesNotContain("resolvedUrl").doesNotContain("preflight");
        LedgerEntry read = mapper.readValue(old, LedgerEntry.class);
        assertThat(read.resolvedUrl()).isNull();
        assertThat(read.preflight()).isNull();
        assertThat(read.toContext(1).preflight()).isNull();
    }

    @Test
    void aVersionOneReceivedEntryIsResumedAsPossiblySubmitted() throws Exception {
        // Before SUBMITTING existed, a crash between from-url's answer and the next record left RECEIVED.
        String v1 = mapper.writeValueAsString(LedgerEntry.received(context(), 3, t0)).replace("\"version\":2", "\"version\":1");
        assertThat(mapper.readValue(v1, LedgerEntry.class).toContext(7).state()).isEqualTo(JobState.SUBMITTING);
        assertThat(LedgerEntry.received(context(), 3, t0).toContext(7).state()).isEqualTo(JobState.RECEIVED);
    }

    @Test
    void unknownFieldsFromANewerVersionAreIgnored() throws Exception {
        String json = mapper.writeValueAsString(LedgerEntry.received(context(), 3, t0))
                .replace("{\"version\":1,", "{\"version\":1,\"futureField\":{\"a\":1},");
        assertThat(new ObjectMapper().registerModule(new JavaTimeModule())
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(json, LedgerEntry.class).requestId()).isEqualTo("r-1");
    }

    @Test
    void callCountsByEndpointSurviveAResume() throws Exception {
        JobContext before = JobContext.resumed(request, t0, t0.plusSeconds(3600), 2, 1, JobState.SUBMITTED, "job_9",
                "/api/jobs/job_9", 2, 1, 7, false, new ApiCalls(2, 7, 3, 0));
        LedgerEntry recorded = LedgerEntry.received(context(), 7, t0).progressed(before, JobState.RESOLVING, t0);
        LedgerEntry read = mapper.readValue(mapper.writeValueAsString(recorded), LedgerEntry.class);
        assertThat(read.apiCalls()).isEqualTo(new ApiCalls(2, 7, 3, 0));
        assertThat(read.toContext(2).apiCalls()).isEqualTo(new ApiCalls(2, 7, 3, 0));
    }

    @Test
    void aRecordWrittenBeforeCallCountsWereKeptLoadsWithItsFromUrlCallsAndPolls() throws Exception {
        JobContext before = JobContext.resumed(request, t0, t0.plusSeconds(3600), 2, 1, JobState.SUBMITTED, "job_9",
                "/api/jobs/job_9", 1, 1, 5, false);
        String json = mapper.writeValueAsString(LedgerEntry.received(context(), 7, t0).progressed(before, JobState.SUBMITTED, t0));
        String old = json.replaceAll(",\"apiCalls\":\\{[^}]*\\}", "");
        assertThat(old).doesNotContain("apiCalls").contains("\"polls\":5");
        LedgerEntry read = mapper.readValue(old, LedgerEntry.class);
        assertThat(read.apiCalls()).isNull();
        assertThat(read.toContext(2).apiCalls()).isEqualTo(new ApiCalls(1, 5, 0, 0));
    }
}
