package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.JobError;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.hostupiso.worker.job.JobFixture.failure;
import static dev.hostupiso.worker.job.JobFixture.run;
import static dev.hostupiso.worker.job.ScriptedHostUp.jobIs;
import static dev.hostupiso.worker.job.ScriptedHostUp.json;
import static dev.hostupiso.worker.job.ScriptedHostUp.problem;
import static dev.hostupiso.worker.job.ScriptedHostUp.withRetryAfter;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link JobPoller} on a manual clock against a scripted HostUp. */
class JobPollerTest {

    private final JobFixture f = new JobFixture(Map.of("iso.job-not-found-retries", "2"));

    private JobContext polling(Duration timeout) {
        JobContext ctx = f.job(timeout);
        ctx.submission(s -> s.withJob("job_1"));
        ctx.submission(s -> s.withPollUrl("/api/jobs/job_1"));
        return ctx;
    }

    @Test
    void aFreshJobThatHostUpDoesNotKnowYetIsPolledAgainUntilItCompletes() {
        f.hostUp.then(Endpoint.JOB, problem(Endpoint.JOB, 404, "job_not_found"), problem(Endpoint.JOB, 404, "job_not_found"),
                jobIs("running"), jobIs("completed"));
        JobContext ctx = polling(Duration.ofHours(1));
        var sub = run(f.poller.awaitCompletion(ctx));
        f.timers.advance(Duration.ofMillis(99));
        assertThat(f.hostUp.calls(Endpoint.JOB)).as("the first poll waits the initial delay").isZero();
        f.timers.advance(Duration.ofSeconds(5));
        sub.assertCompleted();
        assertThat(ctx.polls()).isEqualTo(4);
        assertThat(f.timers.pending()).as("no timer left behind").isZero();
    }

    @Test
    void aJobStillUnknownAfterTheTolerated404sIsLost() {
        f.hostUp.then(Endpoint.JOB, problem(Endpoint.JOB, 404, "job_not_found"));
        JobContext ctx = polling(Duration.ofHours(1));
        var sub = run(f.poller.awaitCompletion(ctx));
        f.timers.advance(Duration.ofSeconds(10));
        JobError e = failure(sub);
        assertThat(e.code()).isEqualTo("job_lost");
        assertThat(e.retryable()).isTrue();
        assertThat(f.hostUp.calls(Endpoint.JOB)).as("two 404s tolerated, the third is final").isEqualTo(3);
    }

    @Test
    void aFailedJobFailsWithItsOwnMessageAndHostUpsRequestId() {
        f.hostUp.then(Endpoint.JOB, json(Endpoint.JOB, 200,
                "{\"operation\":{\"status\":\"failed\",\"progressMessage\":\"origin answered 404\"}}"));
        var sub = run(f.poller.awaitCompletion(polling(Duration.ofHours(1))));
        f.timers.advance(Duration.ofSeconds(1));
        JobError e = failure(sub);
        assertThat(e.code()).isEqualTo("job_failed");
        assertThat(e.detail()).contains("origin answered 404");
        assertThat(e.upstreamRequestId()).isEqualTo("req_200");
    }

    @Test
    void theDeadlineEndsPollingWithJobTimeoutAndNoPollAfterIt() {
        f.hostUp.then(Endpoint.JOB, jobIs("running"));
        var sub = run(f.poller.awaitCompletion(polling(Duration.ofSeconds(2))));
        f.timers.advance(Duration.ofSeconds(1));
        sub.assertNotTerminated();
        f.timers.advance(Duration.ofSeconds(2));
        assertThat(failure(sub).code()).isEqualTo("job_timeout");
        int polls = f.hostUp.calls(Endpoint.JOB);
        f.timers.advance(Duration.ofMinutes(1));
        assertThat(f.hostUp.calls(Endpoint.JOB)).isEqualTo(polls);
        assertThat(f.timers.pending()).isZero();
    }

    @Test
    void aRetryAfterOnAPollAnswerSetsTheWaitBeforeTheNextPoll() {
        f.hostUp.then(Endpoint.JOB, withRetryAfter(jobIs("running"), "30"), jobIs("completed"));
        var sub = run(f.poller.awaitCompletion(polling(Duration.ofHours(1))));
        f.timers.advance(Duration.ofMillis(100));
        assertThat(f.hostUp.calls(Endpoint.JOB)).isEqualTo(1);
        f.timers.advance(Duration.ofSeconds(29));
        assertThat(f.hostUp.calls(Endpoint.JOB)).as("no poll before the server's 30 s").isEqualTo(1);
        sub.assertNotTerminated();
        f.timers.advance(Duration.ofSeconds(1));
        sub.assertCompleted();
        assertThat(f.hostUp.calls(Endpoint.JOB)).isEqualTo(2);
    }
}
