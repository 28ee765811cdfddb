package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.metrics.WorkerMetrics;

import java.time.Clock;
import java.time.Duration;

/** Builds a {@link HostUpRateLimiter} for tests outside its package (10-minute ceiling). */
public final class HostUpRateLimiterAccess {
    public HostUpRateLimiter create(Clock clock, WorkerMetrics metrics, Delays delays) {
        return new HostUpRateLimiter(clock, metrics, delays, Duration.ofMinutes(10));
    }
}
