package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.JobResult;
import dev.hostupiso.worker.wire.Endpoint;
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
}
