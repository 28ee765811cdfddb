package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.TransportException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static dev.hostupiso.worker.job.JobFixture.run;
import static dev.hostupiso.worker.job.ScriptedHostUp.jobIs;
import static dev.hostupiso.worker.job.ScriptedHostUp.json;
import static dev.hostupiso.worker.job.ScriptedHostUp.library;
import static dev.hostupiso.worker.job.ScriptedHostUp.problem;
import static dev.hostupiso.worker.job.ScriptedHostUp.vpss;
import static dev.hostupiso.worker.job.ScriptedHostUp.withRetryAfter;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SUBMITTING says "a download may be queued": it is recorded only as a from-url call goes on the wire, and an
 * answer that proves nothing was queued is recorded too, so that a restart never resumes a refusal as a guess.
 */
class SubmitRecordingTest {

    private static final String QUEUED = "{\"operation\":{\"status\":\"pending\",\"jobId\":\"job_1\",\"pollUrl\":\"/api/jobs/job_1\"}}";

    private final JobFixture f = new JobFixture(Map.of("iso.submit.ambiguity-window", "1s", "iso.submit.max-attempts", "2"));

    @Test
    void nothingIsRecordedAsSubmittingWhileTheCallWaitsForTheRateLimiter() {
        f.limiter.pauseFor(Duration.ofSeconds(5)); // an earlier 429 of the account
        f.hostUp.then(Endpoint.FROM_URL, json(Endpoint.FROM_URL, 200, "{}")).then(Endpoint.ISO_LIST, library("x.iso"));
        var sub = run(f.runner.run(f.job(Duration.ofHours(1))));
        f.timers.advance(Duration.ofSeconds(4));
        assertThat(f.journal).as("no call on the wire yet").isEmpty();
        f.timers.advance(Duration.ofSeconds(2));
        assertThat(sub.assertCompleted().getItem().completed()).isTrue();
        assertThat(f.journal).containsExactly(JobState.SUBMITTING, JobState.RESOLVING);
    }

    @Test
    void aRejectedKeyRecordsThatNothingWasQueuedWhileTheKeyIsHeld() {
        f.hostUp.then(Endpoint.FROM_URL, problem(Endpoint.FROM_URL, 401, "invalid_token"), json(Endpoint.FROM_URL, 202, QUEUED))
                .then(Endpoint.JOB, jobIs("completed")).then(Endpoint.ISO_LIST, library("x.iso"))
                .then(Endpoint.VPS_LIST, vpss("vps_1")); // the held key's probe finds it working again
        JobContext ctx = f.job(Duration.ofHours(1));
        var sub = run(f.runner.run(ctx));
        assertThat(f.journal).as("while the key is held").containsExactly(JobState.SUBMITTING, JobState.RECEIVED);
        assertThat(ctx.submissions()).as("a refused call queued nothing").isZero();
        assertThat(ctx.isSubmitting()).as("nothing on the wire: a hand-over need not wait").isFalse();
        f.timers.advance(Duration.ofSeconds(10));
        assertThat(sub.assertCompleted().getItem().completed()).isTrue();
        assertThat(f.journal).containsExactly(JobState.SUBMITTING, JobState.RECEIVED, JobState.SUBMITTING,
                JobState.SUBMITTED, JobState.RESOLVING);
    }

    @Test
    void aRateLimitedCallRecordsThatNothingWasQueuedWhileItWaits() {
        f.hostUp.then(Endpoint.FROM_URL, withRetryAfter(problem(Endpoint.FROM_URL, 429, "rate_limited"), "30"),
                        json(Endpoint.FROM_URL, 200, "{}"))
                .then(Endpoint.ISO_LIST, library("x.iso"));
        var sub = run(f.runner.run(f.job(Duration.ofHours(1))));
        f.timers.advance(Duration.ofSeconds(10));
        assertThat(f.journal).as("waiting out the 429").containsExactly(JobState.SUBMITTING, JobState.RECEIVED);
        f.timers.advance(Duration.ofSeconds(30));
        assertThat(sub.assertCompleted().getItem().fromUrlCalls()).isEqualTo(2);
    }

    @Test
    void aRefusalAfterAnAmbiguousCallKeepsTheJobSubmitting() {
        f.hostUp.then(Endpoint.FROM_URL, new TransportException(Endpoint.FROM_URL, TransportException.Kind.TIMEOUT_AFTER_SEND,
                        new IOException("read timed out")), problem(Endpoint.FROM_URL, 409, "vps_not_ready"))
                .then(Endpoint.ISO_LIST, library());
        JobContext ctx = f.job(Duration.ofHours(1));
        run(f.runner.run(ctx));
        f.timers.advance(Duration.ofMillis(1050)); // past the window: called again, refused
        assertThat(f.hostUp.calls(Endpoint.FROM_URL)).isEqualTo(2);
        assertThat(ctx.state()).as("the first call may still have queued the download").isEqualTo(JobState.SUBMITTING);
        assertThat(ctx.submissions()).isEqualTo(1);
    }
}
