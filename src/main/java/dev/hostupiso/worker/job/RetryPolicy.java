package dev.hostupiso.worker.job;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How long to wait before the next poll or retry: a pure function of (attempt, server hint,
 * random), validated on construction.
 * <p>
 * Backoff is exponential with full jitter, bounded below by {@code initialDelay} so the worker never
 * polls faster than configured: attempt {@code n} waits uniformly in
 * {@code [initial, min(max, initial * 2^n)]}. A server's {@code Retry-After} overrides it, clamped
 * to {@code retryAfterMax}.
 */
public record RetryPolicy(Duration initialDelay, Duration maxDelay, Duration retryAfterMax) {

    public RetryPolicy {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(retryAfterMax, "retryAfterMax");
        if (initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("initial delay must be positive, got " + initialDelay);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("max delay " + maxDelay + " is below the initial delay " + initialDelay);
        }
        if (retryAfterMax.isNegative() || retryAfterMax.isZero()) {
            throw new IllegalArgumentException("Retry-After ceiling must be positive, got " + retryAfterMax);
        }
    }

    /** The jittered backoff of attempt {@code attempt} (0-based); {@code random} in [0, 1). */
    public Duration backoff(int attempt, double random) {
        if (!(random >= 0 && random < 1)) { // NaN too
            throw new IllegalArgumentException("random must be in [0, 1), got " + random);
        }
        long initial = initialDelay.toMillis();
        long cap = maxDelay.toMillis();
        // initial * 2^attempt, saturating at the cap instead of overflowing.
        int doublings = Math.min(Math.max(0, attempt), 62);
        long ceiling = initial > (cap >> doublings) ? cap : initial << doublings;
        return Duration.ofMillis(initial + (long) (random * (ceiling - initial)));
    }

    /** The delay before attempt {@code attempt}: the server's hint when it gave one, else backoff. */
    public Duration delay(int attempt, Optional<Duration> retryAfter, double random) {
        return retryAfter.map(this::clamp).orElseGet(() -> backoff(attempt, random));
    }

    /** A server-requested wait, bounded by the configured ceiling. */
    public Duration clamp(Duration retryAfter) {
        return retryAfter.compareTo(retryAfterMax) > 0 ? retryAfterMax : retryAfter;
    }
}
