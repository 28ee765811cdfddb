package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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
 * <p>
 * Every wait is bounded: by {@code iso.retry-after-max} (a reset a year ahead must not park the
 * process), and by the caller's deadline ({@link #acquire(Instant)} fails at once with
 * {@link PastDeadlineException} instead of booking a slot it could only use too late). A reset is
 * read against the answer's own {@code Date} header, like {@code Retry-After}, so a server clock
 * that is off does not stretch or cut the wait.
 */
@ApplicationScoped
public class HostUpRateLimiter {

    /** How long a call waits before asking again when nothing is known yet. */
    static final Duration PROBE_WAIT = Duration.ofMillis(50);

    /**
     * A reservation: wait {@code delay}, then make the call if {@code granted}, otherwise ask again;
     * {@code pastDeadline}: nothing was booked because the call could not start before the deadline.
     */
    public record Reservation(Duration delay, boolean granted, boolean pastDeadline) {
        public Reservation(Duration delay, boolean granted) {
            this(delay, granted, false);
        }
    }

    /** The limiter could not let the call start before the caller's deadline; nothing is booked. */
    public static final class PastDeadlineException extends RuntimeException {
        private final Duration wait;

        PastDeadlineException(Duration wait) {
            super("the rate limiter's wait of " + wait + " ends past the deadline", null, false, false);
            this.wait = wait;
        }

        /** How long the call would have had to wait. */
        public Duration waitNeeded() {
            return wait;
        }
    }

    private final Clock clock;
    private final WorkerMetrics metrics;
    private final Delays delays;
    /** No limiter wait is longer than this ({@code iso.retry-after-max}). */
    private final Duration ceiling;
    private Instant blockedUntil = Instant.MIN;
    private Instant nextSlot = Instant.MIN;
    private int limit = -1;
    private int remaining = -1;
    /** The window end as the server wrote it: identifies the window across answers. */
    private Instant reset;
    /** The same window end on the local clock (corrected by the answer's {@code Date}), bounded by the ceiling. */
    private Instant resetAt;
    /** The last window end the limiter rolled over; answers still carrying it (or an older one) are stale. */
    private Instant rolledPast = Instant.MIN;
    private boolean anyAnswer;
    /** Calls granted whose answer (or failure) has not been seen yet. */
    private int outstanding;

    @Inject
    public HostUpRateLimiter(Clock clock, WorkerMetrics metrics, Delays delays, WorkerConfig config) {
        this(clock, metrics, delays, config.retryAfterMax());
    }

    HostUpRateLimiter(Clock clock, WorkerMetrics metrics, Delays delays, Duration ceiling) {
        if (ceiling.isNegative() || ceiling.isZero()) {
            throw new IllegalArgumentException("wait ceiling must be positive, got " + ceiling);
        }
        this.clock = clock;
        this.metrics = metrics;
        this.delays = delays;
        this.ceiling = ceiling;
    }

    /**
     * Waits for a slot and hands over its {@link Permit}: the caller makes its call, then tells the
     * permit how it ended. Fails with {@link PastDeadlineException} as soon as the slot would start
     * after {@code deadline}. Cancelling the returned Uni while it waits cancels the timer and
     * releases the slot.
     */
    public Uni<Permit> acquire(Instant deadline) {
        return AsyncLoop.untilPresent(() -> {
            Reservation r = reserve(deadline);
            if (r.pastDeadline()) {
                return Uni.createFrom().failure(new PastDeadlineException(r.delay()));
            }
            if (!r.granted()) {
                return AsyncLoop.again(delays.after(r.delay()));
            }
            Permit permit = new Permit(this);
            return delays.after(r.delay()).replaceWith(Optional.of(permit)).onCancellation().invoke(permit::cancel);
        });
    }

    /** {@link #reserve(Instant)} without a deadline. */
    public Reservation reserve() {
        return reserve(Instant.MAX);
    }

    /**
     * Reserves the next call and answers how long the caller must wait before making it (or asking
     * again). Books nothing when the call could not start by {@code notAfter}.
     */
    public synchronized Reservation reserve(Instant notAfter) {
        Instant now = clock.instant();
        Instant start = max(now, max(blockedUntil, nextSlot));
        if (!anyAnswer && outstanding > 0) {
            // Nothing known about the budget yet: one call finds out before the others go.
            return askAgain(now, max(Duration.between(now, start), PROBE_WAIT), notAfter);
        }
        if (resetAt != null && !start.isBefore(resetAt)) {
            // The window rolled over: assume a full budget until a response says otherwise.
            rollOver();
        }
        if (remaining == 0 && resetAt != null) {
            if (resetAt.isAfter(notAfter)) {
                return new Reservation(Duration.between(now, resetAt), false, true);
            }
            start = resetAt;
            blockedUntil = resetAt;
            rollOver();
        } else if (remaining == 0 && limit > 0 && outstanding > 0) {
            // The assumed budget of the new window is all booked and its reset is not known yet: the
            // calls in flight will tell. (With none in flight nobody would, so the call goes as a probe.)
            return askAgain(now, Duration.between(now, start).plus(PROBE_WAIT), notAfter);
        }
        if (start.isAfter(notAfter)) {
            return new Reservation(Duration.between(now, start), false, true);
        }
        if (remaining > 0) {
            if (resetAt != null && (limit < 0 || remaining * 2 <= limit)) {
                Duration interval = Duration.between(start, resetAt).dividedBy(remaining);
                nextSlot = start.plus(interval);
            }
            remaining--;
        }
        outstanding++;
        return new Reservation(Duration.between(now, start), true);
    }

    private static Reservation askAgain(Instant now, Duration wait, Instant notAfter) {
        return new Reservation(wait, false, now.plus(wait).isAfter(notAfter));
    }

    private void rollOver() {
        rolledPast = reset;
        remaining = limit;
        reset = null;
        resetAt = null;
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

    /** {@link #observe(Optional, Optional)} of an answer without a {@code Date} header. */
    public void observe(Optional<RateLimitHeaders> headers) {
        observe(headers, Optional.empty());
    }

    /**
     * Learns the budget from a response's {@code X-RateLimit-*} headers (call {@link #answered()}
     * first); {@code date} is the response's raw {@code Date} header, the server's clock.
     */
    public synchronized void observe(Optional<RateLimitHeaders> headers, Optional<String> date) {
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
            if (!sameWindow) {
                resetAt = newReset == null ? null : localReset(newReset, date);
            }
            reset = newReset;
        }
        metrics.rateLimit(h.limit(), h.remaining());
    }

    /**
     * Where the server's window end falls on the local clock: the time left on the server's clock
     * (reset minus its {@code Date}, or minus now without one), at most the ceiling.
     */
    private Instant localReset(Instant serverReset, Optional<String> date) {
        Instant now = clock.instant();
        Instant serverNow = date.flatMap(RetryAfter::httpDate).orElse(now);
        Duration left = Duration.between(serverNow, serverReset);
        return now.plus(left.compareTo(ceiling) > 0 ? ceiling : left);
    }

    /** After a 429: no call of this process starts before {@code wait} (at most the ceiling) has passed. */
    public synchronized void pauseFor(Duration wait) {
        Instant until = clock.instant().plus(wait.compareTo(ceiling) > 0 ? ceiling : wait);
        blockedUntil = max(blockedUntil, until);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
