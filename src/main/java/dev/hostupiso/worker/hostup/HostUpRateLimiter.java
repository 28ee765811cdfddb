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
 * Spends one API key's budget like money: paced, never assuming budget no answer has shown, and only this instance's
 * share of it. One instance per key; all state is per instance.
 * <ul>
 * <li><b>Pace, don't burst.</b> Every call books the next slot at {@link PacingPolicy#instanceRate}: the remaining
 * budget spread until the reset, at most {@code burst} × the key's sustainable average (limit ÷ the learned window).
 * </li>
 * <li><b>No assumed window model.</b> The {@link BudgetShape} is learned from how {@code X-RateLimit-Reset} moves. For
 * a fixed window, calls stop when the budget is spent and, after the reset, one call per instance finds out what came
 * back before any other goes (a sliding window frees one call then, not the whole budget). For a budget that returns
 * continuously, calls go on at the learned refill rate.</li>
 * <li><b>One budget per key across instances.</b> Each instance spends only its {@link ShareSource} share of what the
 * server reports as remaining, so the group together stays within the key's budget without talking to each
 * other.</li>
 * <li><b>AIMD on 429.</b> A 429 pauses every call of the instance for {@code Retry-After} ({@link #pauseFor}) and
 * halves the pace; the pace recovers over one window.</li>
 * </ul>
 * The budget is decremented locally per reservation so that many concurrent jobs do not all spend the same last call.
 * An answer's {@code X-RateLimit-Remaining} counts only the calls the server had seen, so the calls reserved but not
 * yet answered ({@link #answered()} ends one) are taken off it. When nothing is known that could pace a call — before
 * the very first answer, or after a reset before the answer to the one call that finds out what came back — the call
 * is not booked but told to ask again shortly ({@link Reservation#granted()} false).
 * <p>
 * Every wait is bounded: by {@code iso.retry-after-max} (a reset a year ahead must not park the process), and by the
 * caller's deadline ({@link #acquire(Instant)} fails at once with {@link PastDeadlineException} instead of booking a
 * slot it could only use too late). A reset is read against the answer's own {@code Date} header, like
 * {@code Retry-After}, so a server clock that is off does not stretch or cut the wait.
 */
@ApplicationScoped
public class HostUpRateLimiter {

    /** How long a call waits before asking again when nothing is known yet. */
    static final Duration PROBE_WAIT = Duration.ofMillis(50);

    /** An HTTP {@code Date} has whole seconds: a difference to the local clock within this is no skew. */
    static final Duration DATE_RESOLUTION = Duration.ofSeconds(1);

    /** Seconds a whole-second reset is taken to end early, on average, for spreading the budget. */
    static final double WHOLE_SECOND_RESET_ALLOWANCE = 0.5;

    /** Slots are booked at most this far ahead (or two paced intervals, when longer). */
    static final Duration LOOKAHEAD = Duration.ofMillis(200);

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
    private final PacingPolicy policy;
    private final ShareSource shares;
    private Instant blockedUntil = Instant.MIN;
    private Instant nextSlot = Instant.MIN;
    private Duration lookahead = LOOKAHEAD;
    private Instant lastGrant = Instant.MIN;
    /** Whether the server sends a budget at all; without one nothing is paced. */
    private boolean limited;
    private int limit = -1;
    /** The highest remaining count ever reported: stands in for a limit the server does not send. */
    private int highestRemaining;
    /**
     * This instance's calls left: its share of the freshest remaining count, minus its calls booked since. NaN: not
     * known (after a reset, until an answer shows what came back).
     */
    private double credit = Double.NaN;
    /** The server's remaining count of the previous answer, to tell a budget that came back from one that drips. */
    private int lastReported = -1;
    /** The window end as the server wrote it: identifies the window across answers. */
    private Instant reset;
    /** The same window end on the local clock (corrected by the answer's {@code Date}), bounded by the ceiling. */
    private Instant resetAt;
    /** The last window end the limiter rolled over; answers still carrying it (or an older one) are stale. */
    private Instant rolledPast = Instant.MIN;
    /** The latest reset any answer announced (server clock). */
    private Instant newestReset;
    private BudgetShape shape = BudgetShape.UNKNOWN;
    /** Longest time to a reset seen, in seconds: the learned window. NaN before any. */
    private double windowSeconds = Double.NaN;
    /** Highest {@code (limit - remaining) / time to reset} seen, calls per second. NaN before any. */
    private double refill = Double.NaN;
    private double aimd = 1;
    private Instant aimdAt = Instant.MIN;
    private boolean anyAnswer;
    /** Calls granted whose answer (or failure) has not been seen yet. */
    private int outstanding;

    @Inject
    public HostUpRateLimiter(Clock clock, WorkerMetrics metrics, Delays delays, WorkerConfig config, ShareSource shares) {
        this(clock, metrics, delays, config.retryAfterMax(), PacingPolicy.withBurst(config.rateLimit().burst()), shares);
    }

    /**
     * A limiter for one key: {@code ceiling} bounds every wait, {@code shares} tells this instance's share of the
     * key's budget.
     */
    public HostUpRateLimiter(Clock clock, WorkerMetrics metrics, Delays delays, Duration ceiling, PacingPolicy policy,
                             ShareSource shares) {
        if (ceiling.isNegative() || ceiling.isZero()) {
            throw new IllegalArgumentException("wait ceiling must be positive, got " + ceiling);
        }
        this.clock = clock;
        this.metrics = metrics;
        this.delays = delays;
        this.ceiling = ceiling;
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
        this.shares = java.util.Objects.requireNonNull(shares, "shares");
    }

    HostUpRateLimiter(Clock clock, WorkerMetrics metrics, Delays delays, Duration ceiling) {
        this(clock, metrics, delays, ceiling, PacingPolicy.DEFAULT, ShareSource.WHOLE);
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
        if (!limited) {
            return grant(now, max(now, blockedUntil), notAfter, Duration.ZERO);
        }
        if (start.isAfter(notAfter)) {
            return new Reservation(Duration.between(now, start), false, true);
        }
        Duration ahead = Duration.between(now, start);
        if (ahead.compareTo(lookahead) > 0) {
            // Slots are not booked far ahead: the pace is worked out afresh, from the latest answers, near the time.
            return askAgain(now, ahead.minus(lookahead.dividedBy(2)), notAfter);
        }
        return reserveLimited(now, start, notAfter);
    }

    /** A slot under a known budget: this instance's share of it, paced, or what to do once it is spent. */
    private Reservation reserveLimited(Instant now, Instant start, Instant notAfter) {
        double share = ShareSource.clamp(shares.share());
        boolean continuous = shape == BudgetShape.CONTINUOUS;
        if (!continuous && resetAt != null && !start.isBefore(resetAt)) {
            // The window rolled over: how much came back is unknown until an answer tells.
            rollOver();
        }
        if (!continuous && credit < 1) {
            return afterWindowSpent(now, start, notAfter, share);
        }
        if (Double.isNaN(credit)) {
            return outstanding > 0 ? askAgain(now, Duration.between(now, start).plus(PROBE_WAIT), notAfter)
                    : probe(now, start, notAfter, share);
        }
        if (credit < 1) {
            return afterDripSpent(now, start, notAfter, share);
        }
        double rate = policy.instanceRate(budget(start, credit / share), share, aimd(now));
        metrics.pacing(share, rate);
        Reservation r = grant(now, start, notAfter, interval(rate));
        if (r.granted()) {
            credit -= 1;
        }
        return r;
    }

    /** This instance's share of a window is spent: nothing before the reset; the first call after it finds out what came back. */
    private Reservation afterWindowSpent(Instant now, Instant start, Instant notAfter, double share) {
        if (resetAt == null) {
            return outstanding > 0 ? askAgain(now, Duration.between(now, start).plus(PROBE_WAIT), notAfter)
                    : probe(now, start, notAfter, share);
        }
        Instant at = resetAt;
        if (at.isAfter(notAfter)) {
            return new Reservation(Duration.between(now, at), false, true);
        }
        rollOver();
        return probe(now, max(start, at), notAfter, share);
    }

    /**
     * A budget that comes back bit by bit, all spent: the next call goes when the reset announces the next
     * bit (a sliding window's oldest call expiring) or, if that is later, at the low pace of a refilling one.
     */
    private Reservation afterDripSpent(Instant now, Instant start, Instant notAfter, double share) {
        PacingPolicy.Budget spent = budget(start, 0);
        double low = policy.instanceRate(spent, share, aimd(now));
        Instant at = lastGrant.plus(interval(low));
        if (resetAt != null) {
            // Budget that came back in chunks (a sliding window) comes back at the reset, not before; budget that
            // drips (a bucket whose reset is when it is full) is there before the reset.
            at = policy.returnsInChunks(spent) ? max(at, resetAt) : min(at, resetAt);
        }
        at = max(start, at);
        if (at.isAfter(notAfter)) {
            return new Reservation(Duration.between(now, at), false, true);
        }
        if (Duration.between(now, at).compareTo(lookahead) > 0) {
            return askAgain(now, Duration.between(now, at).minus(lookahead.dividedBy(2)), notAfter);
        }
        metrics.pacing(share, low);
        Reservation r = grant(now, at, notAfter, interval(low));
        credit -= 1;
        return r;
    }

    /** One call that finds out the budget; the next one of this instance goes no sooner than the key's average allows. */
    private Reservation probe(Instant now, Instant start, Instant notAfter, double share) {
        double average = windowSeconds > 0 && limit() > 0 ? limit() / windowSeconds : Double.NaN;
        double rate = Double.isNaN(average) ? Double.NaN : average * share * aimd(now);
        return grant(now, start, notAfter, Double.isNaN(rate) ? Duration.ZERO : interval(rate));
    }

    private Reservation grant(Instant now, Instant start, Instant notAfter, Duration spacing) {
        if (start.isAfter(notAfter)) {
            return new Reservation(Duration.between(now, start), false, true);
        }
        nextSlot = start.plus(spacing);
        lastGrant = start;
        lookahead = max(LOOKAHEAD, spacing.multipliedBy(2));
        outstanding++;
        return new Reservation(Duration.between(now, start), true);
    }

    /** Time between two calls at {@code rate} per second, at most the ceiling (0 calls per second: the ceiling). */
    private Duration interval(double rate) {
        if (!(rate > 0)) {
            return ceiling;
        }
        double nanos = 1e9 / rate;
        return nanos >= ceiling.toNanos() ? ceiling : Duration.ofNanos((long) nanos);
    }

    private PacingPolicy.Budget budget(Instant at, double keyRemaining) {
        double toReset = resetAt == null ? windowSecondsOr(1) : Math.max(0, Duration.between(at, resetAt).toNanos() / 1e9);
        if (reset != null && reset.getNano() == 0 && toReset > 2 * WHOLE_SECOND_RESET_ALLOWANCE) {
            // A reset in whole seconds is rounded up: the window really ends up to a second earlier, and budget still
            // left then is lost. Spread it as if it ended half a second earlier.
            toReset -= WHOLE_SECOND_RESET_ALLOWANCE;
        }
        return new PacingPolicy.Budget(shape, limit(), Math.max(0, keyRemaining), toReset, windowSecondsOr(1), refill);
    }

    private double windowSecondsOr(double fallback) {
        return windowSeconds > 0 ? windowSeconds : fallback;
    }

    private int limit() {
        return limit > 0 ? limit : Math.max(1, highestRemaining);
    }

    private double aimd(Instant now) {
        if (aimd < 1 && now.isAfter(aimdAt)) {
            aimd = policy.recovered(aimd, Duration.between(aimdAt, now).toNanos() / 1e9, windowSecondsOr(1));
            aimdAt = now;
        }
        return aimd;
    }

    private static Reservation askAgain(Instant now, Duration wait, Instant notAfter) {
        return new Reservation(wait, false, now.plus(wait).isAfter(notAfter));
    }

    private void rollOver() {
        rolledPast = reset == null ? rolledPast : reset;
        credit = Double.NaN;
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

    /** A call was answered 429: the pace drops (multiplicative decrease), recovering over one window. */
    public synchronized void refused() {
        Instant now = clock.instant();
        aimd = policy.afterRefusal(aimd(now));
        aimdAt = now;
    }

    @Override
    public synchronized String toString() {
        return "HostUpRateLimiter[shape=" + shape + ", limit=" + limit + ", credit=" + credit + ", reset=" + reset
                + ", resetAt=" + resetAt + ", window=" + windowSeconds + "s, refill=" + refill + "/s, aimd=" + aimd
                + ", outstanding=" + outstanding + ", nextSlot=" + nextSlot + ", blockedUntil=" + blockedUntil + "]";
    }

    /** The learned shape of the key's budget. */
    public synchronized BudgetShape shape() {
        return shape;
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
                limited = false;
                credit = Double.NaN;
            }
            return;
        }
        RateLimitHeaders h = headers.get();
        h.limit().ifPresent(l -> limit = l);
        if (h.remaining().isPresent()) {
            int reported = h.remaining().getAsInt();
            highestRemaining = Math.max(highestRemaining, reported);
            Instant newReset = h.reset().orElse(null);
            learnShape(newReset, reported);
            if (newReset != null && !newReset.isAfter(rolledPast)) {
                // A late answer from a window already rolled over: its count says nothing about the new one.
                metrics.rateLimit(h.limit(), h.remaining());
                return;
            }
            limited = true;
            // The server counted the calls it had seen; those granted but unanswered may come on top.
            double mine = ShareSource.clamp(shares.share()) * reported - outstanding;
            boolean sameWindow = newReset != null && newReset.equals(reset);
            // Answers overtake each other; within one window the lowest count is the freshest.
            credit = sameWindow && !Double.isNaN(credit) ? Math.min(credit, mine) : mine;
            if (!sameWindow) {
                resetAt = newReset == null ? null : localReset(newReset, date);
            }
            reset = newReset;
            learnWindow(reported);
        }
        metrics.rateLimit(h.limit(), h.remaining());
    }

    /** The window's length and the budget's refill rate, as far as the time to the reset tells them. */
    private void learnWindow(int reported) {
        if (resetAt == null) {
            return;
        }
        double toReset = Duration.between(clock.instant(), resetAt).toNanos() / 1e9;
        if (toReset > 0) {
            // A reset rounded up to whole seconds makes the window look up to a second longer: a slower,
            // never faster, average.
            windowSeconds = Double.isNaN(windowSeconds) ? toReset : Math.max(windowSeconds, toReset);
            double drip = (limit() - reported) / toReset;
            refill = Double.isNaN(refill) ? drip : Math.max(refill, drip);
        }
    }

    /**
     * A reset later than any before is evidence of the shape: with the budget back near the limit, a window ended;
     * with the budget about where it was, it comes back bit by bit.
     */
    private void learnShape(Instant newReset, int reported) {
        if (newReset == null) {
            return;
        }
        if (newestReset == null || newReset.isAfter(newestReset)) {
            if (newestReset != null) {
                boolean cameBack = reported - lastReported >= Math.max(2, limit() / 4);
                shape = cameBack ? BudgetShape.WINDOW : BudgetShape.CONTINUOUS;
            }
            newestReset = newReset;
            lastReported = reported;
        } else if (newReset.equals(newestReset)) {
            // answers overtake each other: the lowest count of one reset is the latest
            lastReported = Math.min(lastReported, reported);
        }
    }

    /**
     * Where the server's window end falls on the local clock: the time left on the server's clock
     * (reset minus its {@code Date}, or minus now without one), at most the ceiling.
     */
    private Instant localReset(Instant serverReset, Optional<String> date) {
        Instant now = clock.instant();
        Instant serverNow = date.flatMap(d -> RetryAfter.httpDate(d, now)).orElse(now);
        if (Duration.between(serverNow, now).abs().compareTo(DATE_RESOLUTION) <= 0) {
            // The Date header has whole seconds: within that the clocks agree, and the local one is the finer.
            serverNow = now;
        }
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

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
