package dev.hostupiso.worker.job;

import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.hostup.ApiResponse;
import dev.hostupiso.worker.hostup.RetryAfter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The {@link RetryPolicy} bound to this process's clock, randomness and timers: what every waiting
 * step of a job (retry, poll, re-read) uses to decide how long to wait, and to wait.
 */
@ApplicationScoped
public class Backoff {

    private final RetryPolicy policy;
    private final Delays delays;
    private final Clock clock;
    private final RandomGenerator random;

    public Backoff(RetryPolicy policy, Delays delays, Clock clock, RandomGenerator random) {
        this.policy = policy;
        this.delays = delays;
        this.clock = clock;
        this.random = random;
    }

    /** The delay before attempt {@code attempt}: the server's hint, else jittered backoff. */
    public Duration delay(int attempt, Optional<Duration> retryAfter) {
        return policy.delay(attempt, retryAfter, random.nextDouble());
    }

    /** The wait before the next poll of a job whose progress so far is {@code history}. */
    public Duration nextPoll(PollSchedule schedule, java.util.List<PollSchedule.Sample> history, int attempt,
                             Optional<Duration> retryAfter) {
        return schedule.next(history, clock.instant(), attempt, retryAfter, random.nextDouble());
    }

    public Duration backoff(int attempt) {
        return delay(attempt, Optional.empty());
    }

    public Duration initialDelay() {
        return policy.initialDelay();
    }

    /** The {@code Retry-After} of a response, read against its own {@code Date}. */
    public Optional<Duration> retryAfter(ApiResponse response) {
        return RetryAfter.parse(response.retryAfter().orElse(null), response.date().orElse(null), clock.instant());
    }

    /** Whether waiting {@code wait} from now still ends before {@code deadline}. */
    public boolean fits(Duration wait, Instant deadline) {
        return !now().plus(wait).isAfter(deadline);
    }

    public Instant now() {
        return clock.instant();
    }

    public Uni<Void> sleep(Duration wait) {
        return delays.after(wait);
    }
}
