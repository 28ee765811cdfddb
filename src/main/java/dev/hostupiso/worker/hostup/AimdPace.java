package dev.hostupiso.worker.hostup;

import java.time.Duration;
import java.time.Instant;

/**
 * The AIMD factor of one {@link HostUpRateLimiter}: cut by the {@link PacingPolicy} on a 429, back to 1 over one
 * window without one. Not thread-safe: the limiter holds its own lock around every use.
 */
final class AimdPace {

    private final PacingPolicy policy;
    private double factor = 1;
    private Instant since = Instant.MIN;

    AimdPace(PacingPolicy policy) {
        this.policy = policy;
    }

    /** The factor at {@code now}, recovered since the last 429 over windows of {@code windowSeconds}. */
    double at(Instant now, double windowSeconds) {
        if (factor < 1 && now.isAfter(since)) {
            factor = policy.recovered(factor, Duration.between(since, now).toNanos() / 1e9, windowSeconds);
            since = now;
        }
        return factor;
    }

    /** A call was answered 429 at {@code now}. */
    void refused(Instant now, double windowSeconds) {
        factor = policy.afterRefusal(at(now, windowSeconds));
        since = now;
    }

    @Override
    public String toString() {
        return Double.toString(factor);
    }
}
