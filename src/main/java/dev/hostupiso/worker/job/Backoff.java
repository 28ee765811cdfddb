package dev.hostupiso.worker.job;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The {@link RetryPolicy} bound to this process's randomness: how long a waiting step of a job
 * (retry, poll, re-read) waits before its next try. It neither reads the clock nor waits: callers
 * take {@code Clock} for deadlines and {@code Delays} for timers, and loop with {@code AsyncLoop}.
 */
@ApplicationScoped
public class Backoff {

    private final RetryPolicy policy;
    private final RandomGenerator random;

    public Backoff(RetryPolicy policy, RandomGenerator random) {
        this.policy = policy;
        this.random = random;
    }

    /** The delay before attempt {@code attempt}: the server's hint, else jittered backoff. */
    public Duration delay(int attempt, Optional<Duration> retryAfter) {
        return policy.delay(attempt, retryAfter, random.nextDouble());
    }

    /** The delay after a transient failure: its {@code Retry-After}, else jittered backoff. */
    public Duration delay(int attempt, TransientFailure failure) {
        return delay(attempt, failure.retryAfter());
    }

    /** The wait before the first poll of a job: the schedule's, at submission. */
    public Duration firstPoll(PollCourse course) {
        return course.first(random.nextDouble());
    }

    /** The wait before the next poll of a job, at {@code now}: the schedule's, after the polls so far. */
    public Duration nextPoll(PollCourse course, Instant now, Optional<Duration> retryAfter) {
        return course.next(now, retryAfter, random.nextDouble());
    }

    public Duration backoff(int attempt) {
        return delay(attempt, Optional.empty());
    }

    public Duration initialDelay() {
        return policy.initialDelay();
    }
}
