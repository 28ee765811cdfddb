package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.metrics.WorkerMetrics;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one rate limiter of the process: HostUp limits per API key and the worker holds one key, so
 * every call reserves its start time here.
 * <ul>
 * <li>After a 429 the whole worker waits out {@code Retry-After} ({@link #pauseFor}), not just the
 * call that was refused.</li>
 * <li>Before a 429 happens, {@code X-RateLimit-Remaining}/{@code -Reset} pace calls: once half of
 * the window's budget is spent, the rest is spread evenly until the reset; at zero, calls wait for
 * the reset.</li>
 * </ul>
 * The remaining budget is decremented locally per reservation so that many concurrent jobs do not
 * all spend the same last call.
 */
@ApplicationScoped
public class HostUpRateLimiter {

    private final Clock clock;
    private final WorkerMetrics metrics;
    private Instant blockedUntil = Instant.MIN;
    private Instant nextSlot = Instant.MIN;
    private int limit = -1;
    private int remaining = -1;
    private Instant reset;

    public HostUpRateLimiter(Clock clock, WorkerMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Reserves the next call and answers how long the caller must wait before making it. */
    public synchronized Duration reserve() {
        Instant now = clock.instant();
        Instant start = max(now, max(blockedUntil, nextSlot));
        if (reset != null && !start.isBefore(reset)) {
            // The window rolled over: assume a full budget until a response says otherwise.
            remaining = limit;
            reset = null;
        }
        if (remaining == 0 && reset != null) {
            start = reset;
            blockedUntil = reset;
            remaining = limit;
            reset = null;
        }
        if (remaining > 0) {
            if (reset != null && (limit < 0 || remaining * 2 <= limit)) {
                Duration interval = Duration.between(start, reset).dividedBy(remaining);
                nextSlot = start.plus(interval);
            }
            remaining--;
        }
        return Duration.between(now, start);
    }

    /** Learns the budget from a response's {@code X-RateLimit-*} headers. */
    public synchronized void observe(Optional<RateLimitHeaders> headers) {
        if (headers.isEmpty()) {
            return;
        }
        RateLimitHeaders h = headers.get();
        h.limit().ifPresent(l -> limit = l);
        if (h.remaining().isPresent()) {
            int reported = h.remaining().getAsInt();
            Instant newReset = h.reset().orElse(null);
            boolean sameWindow = newReset != null && newReset.equals(reset);
            // Answers overtake each other; within one window the lowest count is the freshest.
            remaining = sameWindow && remaining >= 0 ? Math.min(remaining, reported) : reported;
            reset = newReset;
        }
        metrics.rateLimit(h.limit(), h.remaining());
    }

    /** After a 429: no call of this process starts before {@code wait} has passed. */
    public synchronized void pauseFor(Duration wait) {
        Instant until = clock.instant().plus(wait);
        blockedUntil = max(blockedUntil, until);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
