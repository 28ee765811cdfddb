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

    /** A progress-aware poller like production's, on the fixture's HostUp and clock, with its own prior. */
    private JobPoller aware(ThroughputPrior prior) {
        RetryPolicy policy = new RetryPolicy(f.config.poll().initialDelay(), f.config.poll().maxDelay(), f.config.retryAfterMax());
        return new JobPoller(f.calls, f.backoff, f.timers, f.clock, f.config,
                new PollSchedule(policy, Duration.ofMinutes(10), true), new ProgressThrottle(Duration.ofSeconds(10)),
                (ctx, progress) -> { }, prior);
    }

    private static ThroughputPrior warmed(java.time.Clock clock) {
        ThroughputPrior prior = new ThroughputPrior(clock);
        for (int i = 0; i < 10; i++) {
            prior.observe(100_000_000, Duration.ofSeconds(100)); // 1 MB/s, alike
        }
        return prior;
    }

    @Test
    void aDownloadOfAKnownSizeIsFirstPolledWhereTheWarmedPriorSaysItCouldEndNotAtTheInitialDelay() {
        // 100 MB at 1 MB/s: typically 100 s, quickest 100 s × exp(-3.5 × 0.25) ≈ 41.7 s, on the 100 ms floor's grid.
        f.hostUp.then(Endpoint.JOB, jobIs("completed"));
        JobContext ctx = polling(Duration.ofHours(1)).withKnown(100_000_000L, null);
        var sub = run(aware(warmed(f.clock)).awaitCompletion(ctx));
        f.timers.advance(Duration.ofMillis(41_500));
        assertThat(f.hostUp.calls(Endpoint.JOB)).as("no poll while the prior says it cannot be done").isZero();
        f.timers.advance(Duration.ofMillis(200));
        sub.assertCompleted();
        assertThat(f.hostUp.calls(Endpoint.JOB)).isEqualTo(1);
    }

    @Test
    void withoutASizeOrAWarmPriorOrForAResumedJobTheFirstPollWaitsTheInitialDelay() {
        f.hostUp.then(Endpoint.JOB, jobIs("completed"));
        ThroughputPrior warm = warmed(f.clock);
        for (JobContext ctx : java.util.List.of(polling(Duration.ofHours(1)),
                JobContext.resumed(f.job(Duration.ofHours(1)).request(), f.clock.instant(), f.clock.instant().plusSeconds(3600),
                        0, 1, JobState.SUBMITTED, "job_1", "/api/jobs/job_1", 1, 1, 0, false).withKnown(100_000_000L, null))) {
            ctx.withAccount(f.account);
            int before = f.hostUp.calls(Endpoint.JOB);
            var sub = run(aware(warm).awaitCompletion(ctx));
            f.timers.advance(Duration.ofMillis(100));
            sub.assertCompleted();
            assertThat(f.hostUp.calls(Endpoint.JOB) - before).isEqualTo(1);
        }
        JobContext cold = polling(Duration.ofHours(1)).withKnown(100_000_000L, null);
        var sub = run(aware(new ThroughputPrior(f.clock)).awaitCompletion(cold));
        f.timers.advance(Duration.ofMillis(100));
        sub.assertCompleted();
    }

    @Test
    void everyDownloadSeenDoneTeachesThePriorButAMountJobDoesNot() {
        ThroughputPrior prior = new ThroughputPrior(f.clock);
        JobPoller poller = aware(prior);
        for (int i = 0; i < ThroughputPrior.MIN_DOWNLOADS; i++) {
            f.hostUp.then(Endpoint.JOB, jobIs("running"), jobIs("completed"));
            JobContext mount = polling(Duration.ofHours(1)).withKnown(100_000_000L, null);
            run(poller.awaitCompletion(mount, "/api/jobs/mount_1", false));
            f.timers.advance(Duration.ofMinutes(1));
        }
        assertThat(prior.expect(100_000_000L)).as("mount jobs teach nothing").isEmpty();
        for (int i = 0; i < ThroughputPrior.MIN_DOWNLOADS; i++) {
            f.hostUp.then(Endpoint.JOB, jobIs("running"), jobIs("completed"));
            run(poller.awaitCompletion(polling(Duration.ofHours(1)).withKnown(100_000_000L, null)));
            f.timers.advance(Duration.ofMinutes(1));
        }
        // Seen running at 100 ms, done at the next poll (a few hundred ms later): learned as ending halfway between.
        assertThat(prior.expect(100_000_000L)).hasValueSatisfying(p ->
                assertThat(p.typical().toMillis()).isBetween(100L, 1_000L));
    }
}
