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
 * all spend the same last call. An answer's {@code X-RateLimit-Remaining} counts only the calls the
 * server had seen, so the calls reserved but not yet answered ({@link #answered()} ends one) are
 * taken off it. When nothing is known that could pace a call — before the very first answer, or
 * when the assumed budget of a new window is spent before any answer from that window told its
 * reset — the call is not booked but told to ask again shortly ({@link Reservation#granted()} false).
 */
@ApplicationScoped
public class HostUpRateLimiter {

    /** How long a call waits before asking again when nothing is known yet. */
    static final Duration PROBE_WAIT = Duration.ofMillis(50);

    /** A reservation: wait {@code delay}, then make the call if {@code granted}, otherwise ask again. */
    public record Reservation(Duration delay, boolean granted) {
    }

    private final Clock clock;
    private final WorkerMetrics metrics;
    private Instant blockedUntil = Instant.MIN;
    private Instant nextSlot = Instant.MIN;
    private int limit = -1;
    private int remaining = -1;
    private Instant reset;
    /** The last window end the limiter rolled over; answers still carrying it (or an older one) are stale. */
    private Instant rolledPast = Instant.MIN;
    private boolean anyAnswer;
    /** Calls granted whose answer (or failure) has not been seen yet. */
    private int outstanding;

    public HostUpRateLimiter(Clock clock, WorkerMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Reserves the next call and answers how long the caller must wait before making it (or asking again). */
    public synchronized Reservation reserve() {
        Instant now = clock.instant();
        Instant start = max(now, max(blockedUntil, nextSlot));
        if (!anyAnswer && outstanding > 0) {
            // Nothing known about the budget yet: one call finds out before the others go.
            return new Reservation(max(Duration.between(now, start), PROBE_WAIT), false);
        }
        if (reset != null && !start.isBefore(reset)) {
            // The window rolled over: assume a full budget until a response says otherwise.
            rolledPast = reset;
            remaining = limit;
            reset = null;
        }
        if (remaining == 0 && reset != null) {
            start = reset;
            blockedUntil = reset;
            rolledPast = reset;
            remaining = limit;
            reset = null;
        } else if (remaining == 0 && limit > 0 && outstanding > 0) {
            // The assumed budget of the new window is all booked and its reset is not known yet: the
            // calls in flight will tell. (With none in flight nobody would, so the call goes as a probe.)
            return new Reservation(Duration.between(now, start).plus(PROBE_WAIT), false);
        }
        if (remaining > 0) {
            if (reset != null && (limit < 0 || remaining * 2 <= limit)) {
                Duration interval = Duration.between(start, reset).dividedBy(remaining);
                nextSlot = start.plus(interval);
            }
            remaining--;
        }
        outstanding++;
        return new Reservation(Duration.between(now, start), true);
    }

    /** A granted call got an answer or failed: it no longer counts as outstanding. */
    public synchronized void answered() {
        anyAnswer = true;
        if (outstanding > 0) {
            outstanding--;
        }
    }

    /** A granted call was abandoned before it was answered (cancelled): it no longer counts as outstanding. */
    public synchronized void cancelled() {
        if (outstanding > 0) {
            outstanding--;
        }
    }

    /** Learns the budget from a response's {@code X-RateLimit-*} headers (call {@link #answered()} first). */
    public synchronized void observe(Optional<RateLimitHeaders> headers) {
        anyAnswer = true;
        if (headers.isEmpty()) {
            if (reset == null) {
                // No window known and the server sends no budget: it is not limiting us (any more).
                remaining = -1;
            }
            return;
        }
        RateLimitHeaders h = headers.get();
        h.limit().ifPresent(l -> limit = l);
        if (h.remaining().isPresent()) {
            // The server counted the calls it had seen; those granted but unanswered may come on top.
            int reported = Math.max(0, h.remaining().getAsInt() - outstanding);
            Instant newReset = h.reset().orElse(null);
            if (newReset != null && !newReset.isAfter(rolledPast)) {
                // A late answer from a window already rolled over: its count says nothing about the new one.
                metrics.rateLimit(h.limit(), h.remaining());
                return;
            }
            boolean sameWindow = newReset != null && newReset.equals(reset);
            boolean rolledLocally = reset == null && remaining >= 0;
            // Answers overtake each other; within one window the lowest count is the freshest. After a local
            // roll-over the local count already holds the calls booked into the new window.
            remaining = (sameWindow || rolledLocally) && remaining >= 0 ? Math.min(remaining, reported) : reported;
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

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
