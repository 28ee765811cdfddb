package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.JobResult;
import dev.hostupiso.worker.wire.TransportException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.hostupiso.worker.job.JobFixture.run;
import static dev.hostupiso.worker.job.ScriptedHostUp.jobIs;
import static dev.hostupiso.worker.job.ScriptedHostUp.json;
import static dev.hostupiso.worker.job.ScriptedHostUp.library;
import static dev.hostupiso.worker.job.ScriptedHostUp.problem;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link IsoJobRunner}: one request from from-url to ISO id, on a manual clock and a scripted HostUp. */
class IsoJobRunnerTest {

    private static final String QUEUED = "{\"operation\":{\"status\":\"pending\",\"jobId\":\"job_1\",\"pollUrl\":\"/api/jobs/job_1\"}}";

    private final JobFixture f = new JobFixture(Map.of("iso.submit.ambiguity-window", "1s", "iso.submit.max-attempts", "2"));

    @Test
    void aQueuedDownloadIsPolledThenResolvedAndEachStepIsRecordedBeforeItsCalls() {
        f.hostUp.then(Endpoint.FROM_URL, json(Endpoint.FROM_URL, 202, QUEUED))
                .then(Endpoint.JOB, jobIs("running"), jobIs("completed"))
                .then(Endpoint.ISO_LIST, library("x.iso"));
        JobContext ctx = f.job(Duration.ofHours(1));
        var sub = run(f.runner.run(ctx));
        f.timers.advance(Duration.ofSeconds(5));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.completed()).isTrue();
        assertThat(r.isoId()).isEqualTo("iso_1");
        assertThat(r.jobId()).isEqualTo("job_1");
        assertThat(r.alreadyExisted()).isFalse();
        assertThat(r.fromUrlCalls()).isEqualTo(1);
        assertThat(r.polls()).isEqualTo(2);
        assertThat(f.journal).containsExactly(JobState.SUBMITTING, JobState.SUBMITTED, JobState.RESOLVING);
    }

    @Test
    void aFileAlreadyInTheLibraryIsResolvedWithoutPolling() {
        f.hostUp.then(Endpoint.FROM_URL, json(Endpoint.FROM_URL, 200, "{}"))
                .then(Endpoint.ISO_LIST, library("x.iso"));
        var sub = run(f.runner.run(f.job(Duration.ofHours(1))));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.alreadyExisted()).isTrue();
        assertThat(f.hostUp.calls(Endpoint.JOB)).isZero();
    }

    @Test
    void aVpsNotReadyYetIsAskedAgainAndEachFromUrlCallIsCounted() {
        f.hostUp.then(Endpoint.FROM_URL, problem(Endpoint.FROM_URL, 409, "vps_not_ready"), json(Endpoint.FROM_URL, 200, "{}"))
                .then(Endpoint.ISO_LIST, library("x.iso"));
        var sub = run(f.runner.run(f.job(Duration.ofHours(1))));
        f.timers.advance(Duration.ofSeconds(1));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.completed()).isTrue();
        assertThat(r.fromUrlCalls()).isEqualTo(2);
    }

    @Test
    void anAmbiguousFromUrlAnswerIsSettledByTheLibraryNotBySendingItAgain() {
        f.hostUp.then(Endpoint.FROM_URL, problem(Endpoint.FROM_URL, 502, "bad_gateway"))
                .then(Endpoint.ISO_LIST, library(), library("x.iso"));
        var sub = run(f.runner.run(f.job(Duration.ofHours(1))));
        f.timers.advance(Duration.ofSeconds(1));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.completed()).isTrue();
        assertThat(r.fromUrlCalls()).isEqualTo(1);
    }

    @Test
    void aTimeoutAfterSendingIsCalledAgainOnlyAfterTheWindowAndWithinTheBound() {
        f.hostUp.then(Endpoint.FROM_URL, new TransportException(Endpoint.FROM_URL, TransportException.Kind.TIMEOUT_AFTER_SEND,
                        new IOException("read timed out")))
                .then(Endpoint.ISO_LIST, library());
        var sub = run(f.runner.run(f.job(Duration.ofHours(1))));
        f.timers.advance(Duration.ofMillis(900));
        assertThat(f.hostUp.calls(Endpoint.FROM_URL)).as("not repeated within the ambiguity window").isEqualTo(1);
        f.timers.advance(Duration.ofSeconds(5));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.completed()).isFalse();
        assertThat(r.error().code()).isEqualTo("timeout");
        assertThat(r.fromUrlCalls()).as("iso.submit.max-attempts").isEqualTo(2);
    }

    @Test
    void aFailedJobWhoseFileIsListedAnywayIsASuccess() {
        f.hostUp.then(Endpoint.FROM_URL, json(Endpoint.FROM_URL, 202, QUEUED))
                .then(Endpoint.JOB, json(Endpoint.JOB, 200, "{\"operation\":{\"status\":\"failed\",\"progressMessage\":\"file exists\"}}"))
                .then(Endpoint.ISO_LIST, library("x.iso"));
        var sub = run(f.runner.run(f.job(Duration.ofHours(1))));
        f.timers.advance(Duration.ofSeconds(1));
        assertThat(sub.assertCompleted().getItem().isoId()).isEqualTo("iso_1");
    }

    @Test
    void aFailedJobWhoseFileIsNotListedFailsWithTheJobsMessage() {
        f.hostUp.then(Endpoint.FROM_URL, json(Endpoint.FROM_URL, 202, QUEUED))
                .then(Endpoint.JOB, json(Endpoint.JOB, 200, "{\"operation\":{\"status\":\"failed\",\"progressMessage\":\"origin 404\"}}"))
                .then(Endpoint.ISO_LIST, library());
        var sub = run(f.runner.run(f.job(Duration.ofHours(1))));
        f.timers.advance(Duration.ofSeconds(1));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.error().code()).isEqualTo("job_failed");
        assertThat(r.error().detail()).contains("origin 404");
        assertThat(List.of(r.fromUrlCalls(), r.polls())).containsExactly(1, 1);
    }

    /** A job recorded in {@code state} by a previous owner, with one from-url call and job_1 recorded. */
    private JobContext resumedIn(JobState state) {
        JobContext ctx = JobContext.resumed(new dev.hostupiso.worker.wire.IsoRequest("r-1", "vps_a", "https://example.org/x.iso",
                        "x.iso", "none"), f.clock.instant(), f.clock.instant().plus(Duration.ofHours(1)), 0, 1, state, "job_1",
                "/api/jobs/job_1", 1, state == JobState.RESOLVING ? 0 : 1, 0, false);
        return ctx.withAccount(f.account);
    }

    @Test
    void aJobResumedInSubmittedPollsItsRecordedJobWithoutASecondFromUrl() {
        f.hostUp.then(Endpoint.JOB, jobIs("running"), jobIs("completed")).then(Endpoint.ISO_LIST, library("x.iso"));
        var sub = run(f.runner.run(resumedIn(JobState.SUBMITTED)));
        f.timers.advance(Duration.ofSeconds(5));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.isoId()).isEqualTo("iso_1");
        assertThat(f.hostUp.calls(Endpoint.FROM_URL)).isZero();
        assertThat(r.polls()).isEqualTo(2);
        assertThat(f.journal).containsExactly(JobState.RESOLVING);
    }

    @Test
    void aJobResumedInResolvingReadsTheLibraryOnly() {
        f.hostUp.then(Endpoint.ISO_LIST, library(), library("x.iso"));
        var sub = run(f.runner.run(resumedIn(JobState.RESOLVING)));
        f.timers.advance(Duration.ofSeconds(5));
        assertThat(sub.assertCompleted().getItem().isoId()).isEqualTo("iso_1");
        assertThat(f.hostUp.calls(Endpoint.FROM_URL) + f.hostUp.calls(Endpoint.JOB)).isZero();
        assertThat(f.journal).isEmpty();
    }

    @Test
    void aJobResumedInSubmittingLooksInTheLibraryBeforeAnyFromUrl() {
        f.hostUp.then(Endpoint.ISO_LIST, library("x.iso"));
        var sub = run(f.runner.run(resumedIn(JobState.SUBMITTING)));
        f.timers.advance(Duration.ofSeconds(5));
        assertThat(sub.assertCompleted().getItem().isoId()).isEqualTo("iso_1");
        assertThat(f.hostUp.calls(Endpoint.FROM_URL)).isZero();
    }

    @Test
    void aJobResumedInSubmittingWhoseFileNeverShowsCallsFromUrlOnceMoreWithinTheBoundThenEnds() {
        f.hostUp.then(Endpoint.ISO_LIST, library()).then(Endpoint.FROM_URL, problem(Endpoint.FROM_URL, 502, "bad_gateway"));
        var sub = run(f.runner.run(resumedIn(JobState.SUBMITTING)));
        f.timers.advance(Duration.ofSeconds(30));
        // max-attempts 2: the previous owner made one call, so this one makes one more, watches the library again, and ends
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.completed()).isFalse();
        assertThat(r.error().code()).isEqualTo("bad_gateway");
        assertThat(f.hostUp.calls(Endpoint.FROM_URL)).isEqualTo(1);
        assertThat(r.fromUrlCalls()).as("the previous owner's call counts").isEqualTo(2);
    }

    // --- from-url answers the runner cannot follow --------------------------------------------

    private JobResult afterFromUrl(Object fromUrl) {
        f.hostUp.then(Endpoint.FROM_URL, fromUrl).then(Endpoint.ISO_LIST, library());
        var sub = run(f.runner.run(f.job(Duration.ofHours(1))));
        f.timers.advance(Duration.ofSeconds(5));
        return sub.assertCompleted().getItem();
    }

    @Test
    void a202WithoutAnOperationFailsAsAnUnreadableAnswerThatMayHaveQueuedTheDownload() {
        JobResult r = afterFromUrl(json(Endpoint.FROM_URL, 202, "{\"queued\":true}"));
        assertThat(r.error().code()).isEqualTo("invalid_response");
        assertThat(r.error().title()).isEqualTo("Unreadable from-url answer");
        assertThat(r.error().httpStatus()).isEqualTo(202);
        assertThat(r.error().retryable()).as("a retry would queue a second download").isFalse();
        assertThat(r.error().detail()).contains("may still complete");
        assertThat(f.hostUp.calls(Endpoint.JOB)).isZero();
    }

    @Test
    void a202WithAnOperationButNoJobToPollFails() {
        JobResult r = afterFromUrl(json(Endpoint.FROM_URL, 202, "{\"operation\":{\"status\":\"pending\"}}"));
        assertThat(r.error().code()).isEqualTo("invalid_response");
        assertThat(r.error().title()).isEqualTo("No job to poll");
        assertThat(r.error().retryable()).isFalse();
    }

    @Test
    void a202WithOnlyAJobIdIsPolledAtTheJobsPath() {
        f.hostUp.then(Endpoint.FROM_URL, json(Endpoint.FROM_URL, 202, "{\"operation\":{\"status\":\"pending\",\"jobId\":\"job_9\"}}"))
                .then(Endpoint.JOB, jobIs("completed"))
                .then(Endpoint.ISO_LIST, library("x.iso"));
        JobContext ctx = f.job(Duration.ofHours(1));
        var sub = run(f.runner.run(ctx));
        f.timers.advance(Duration.ofSeconds(5));
        assertThat(sub.assertCompleted().getItem().completed()).isTrue();
        assertThat(ctx.pollUrl()).isEqualTo("/api/jobs/job_9");
    }

    @Test
    void aJobTheFromUrlAnswerReportsFailedFailsWithItsMessageUnlessTheFileIsListed() {
        JobResult r = afterFromUrl(json(Endpoint.FROM_URL, 202,
                "{\"operation\":{\"status\":\"failed\",\"jobId\":\"job_1\",\"result\":\"origin refused\"}}"));
        assertThat(r.error().code()).isEqualTo("job_failed");
        assertThat(r.error().detail()).isEqualTo("origin refused");
        assertThat(f.hostUp.calls(Endpoint.ISO_LIST)).as("the library was read before failing").isEqualTo(1);
    }

    @Test
    void aFromUrlAnswerThatCompletedAtOnceIsResolvedWithoutPolling() {
        f.hostUp.then(Endpoint.FROM_URL, json(Endpoint.FROM_URL, 202, "{\"operation\":{\"status\":\"completed\",\"jobId\":\"job_1\"}}"))
                .then(Endpoint.ISO_LIST, library("x.iso"));
        var sub = run(f.runner.run(f.job(Duration.ofHours(1))));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.completed()).isTrue();
        assertThat(r.alreadyExisted()).isFalse();
        assertThat(f.hostUp.calls(Endpoint.JOB)).isZero();
    }

    @Test
    void anUnexpectedErrorFailsTheRequestAsAWorkerErrorThatMayHaveQueuedTheDownload() {
        JobResult r = afterFromUrl(new IllegalStateException("a bug"));
        assertThat(r.error().code()).isEqualTo("worker_error");
        assertThat(r.error().detail()).startsWith("IllegalStateException").contains("may still complete");
        assertThat(r.error().retryable()).isFalse();
    }
}
