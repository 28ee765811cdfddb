package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.wire.RateLimitHeaders;
import dev.hostupiso.worker.wire.RetryAfter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What one API key's answers showed about its budget: the limit, the window the {@code X-RateLimit-Reset} announces
 * (on the server's clock and on the local one), the {@link BudgetShape}, the window's length and the refill rate.
 * {@link HostUpRateLimiter} owns one and reads it under its own lock; this class does no locking.
 * <p>
 * The learned window is the longest time to a reset seen, except for a fixed window: each new window's first answer
 * measures it afresh, so a window that got shorter (or one answer that announced a far reset) does not slow the key down
 * for good. A budget that returns continuously keeps the maximum: under steady load its resets are only the oldest call
 * expiring, and say nothing about the window's length.
 */
final class KeyBudget {

    /** An HTTP {@code Date} has whole seconds: a difference to the local clock within this is no skew. */
    static final Duration DATE_RESOLUTION = Duration.ofSeconds(1);

    /**
     * How long an answer may have travelled after its {@code Date} was written: a {@code Date} up to a second (its
     * resolution) and this much behind the local clock is no skew.
     */
    static final Duration DATE_TRANSIT = Duration.ofMillis(500);

    /** Seconds a whole-second reset is taken to end early, on average, for spreading the budget. */
    static final double WHOLE_SECOND_RESET_ALLOWANCE = 0.5;

    private static final Duration YEAR = Duration.ofDays(366);

    /** What one answer's remaining count means for this instance's credit. */
    record Seen(int reported, boolean stale, boolean sameWindow) { }

    private final Clock clock;
    /** Whether the server sends a budget at all; without one nothing is paced. */
    boolean limited;
    private int limit = -1;
    /** The highest remaining count ever reported: stands in for a limit the server does not send. */
    private int highestRemaining;
    /** The server's remaining count of the previous answer, to tell a budget that came back from one that drips. */
    private int lastReported = -1;
    /** The window end as the server wrote it: identifies the window across answers. */
    Instant reset;
    /**
     * The same window end on the local clock (corrected by the answer's {@code Date}). Not bounded: a window longer
     * than the ceiling is paced over its whole length; the waits for it are bounded where they are booked.
     */
    Instant resetAt;
    /** The last window end the limiter rolled over; answers still carrying it (or an older one) are stale. */
    private Instant rolledPast = Instant.MIN;
    /** The latest reset any answer announced (server clock). */
    private Instant newestReset;
    BudgetShape shape = BudgetShape.UNKNOWN;
    /** The learned window, in seconds. NaN before any. */
    double windowSeconds = Double.NaN;
    /** Highest {@code (limit - remaining) / time to reset} seen, calls per second. NaN before any. */
    double refill = Double.NaN;
    /** The longest time from a call's start to the reset its answer announced, in seconds. NaN before any. */
    private double fromStart = Double.NaN;
    /** Whether {@link #fromStart} was measured on a call the window held alone (then it is never short). */
    private boolean windowMeasuredAlone;
    /** When the sliding window was last lengthened after a 429. */
    private Instant lengthenedAt = Instant.MIN;
    /** No reset seen yet had a fraction of a second: they are (most likely) rounded up to whole seconds. */
    private boolean wholeSecondResets = true;

    KeyBudget(Clock clock) {
        this.clock = clock;
    }

    /** An answer without budget headers: unless a window is known, the server is not limiting us (any more). */
    boolean noHeaders() {
        if (reset == null) {
            limited = false;
            return true;
        }
        return false;
    }

    /** Learns from one answer's headers; empty when they carry no remaining count. */
    Optional<Seen> learn(RateLimitHeaders h, Optional<String> date) {
        return learn(h, date, Optional.empty());
    }

    /**
     * {@link #learn(RateLimitHeaders, Optional)} of the answer to a call that started at {@code callStart} (or, when
     * several were under way, at the latest then).
     */
    Optional<Seen> learn(RateLimitHeaders h, Optional<String> date, Optional<Instant> callStart) {
        h.limit().ifPresent(l -> limit = l);
        if (h.remaining().isEmpty()) {
            return Optional.empty();
        }
        int reported = h.remaining().getAsInt();
        highestRemaining = Math.max(highestRemaining, reported);
        Instant newReset = h.reset().orElse(null);
        boolean windowBegan = learnShape(newReset, reported);
        if (newReset != null && !newReset.isAfter(rolledPast)) {
            return Optional.of(new Seen(reported, true, false)); // a late answer from a window already rolled over
        }
        limited = true;
        boolean sameWindow = newReset != null && newReset.equals(reset);
        if (!sameWindow) {
            resetAt = newReset == null ? null : localReset(newReset, date);
        }
        reset = newReset;
        learnWindow(reported, windowBegan && shape == BudgetShape.WINDOW);
        if (resetAt != null) {
            wholeSecondResets &= newReset.getNano() == 0;
            // Only when the window held this call alone is its reset when this call leaves it; with other calls counted
            // it is when the oldest of them leaves, perhaps sooner: a measure that may be short, lengthened on a 429.
            boolean alone = reported >= limit() - 1;
            callStart.ifPresent(start -> learnFromStart(Duration.between(start, resetAt).toNanos() / 1e9, alone));
        }
        return Optional.of(new Seen(reported, false, sameWindow));
    }

    /** The window's length and the budget's refill rate, as far as the time to the reset tells them. */
    private void learnWindow(int reported, boolean freshFixedWindow) {
        if (resetAt == null) {
            return;
        }
        double toReset = Duration.between(clock.instant(), resetAt).toNanos() / 1e9;
        if (toReset > 0) {
            // A reset rounded up to whole seconds makes the window look up to a second longer: a slower, never faster,
            // average. A fixed window's first answer measures the whole window: older measurements are dropped.
            windowSeconds = Double.isNaN(windowSeconds) || freshFixedWindow ? toReset : Math.max(windowSeconds, toReset);
            // The remaining count is whole calls, rounded down from a bucket's fractional tokens: up to one call of the
            // deficit may be rounding. Counting it would overstate the refill most when the reset is near (a bucket
            // just short of full), and the highest value seen is kept: the pace would run above the key's average.
            double drip = Math.max(0, limit() - reported - 1) / toReset;
            refill = Double.isNaN(refill) ? drip : Math.max(refill, drip);
        }
    }

    private void learnFromStart(double seconds, boolean alone) {
        if (seconds > 0 && (Double.isNaN(fromStart) || seconds > fromStart)) {
            windowMeasuredAlone = alone;
        }
        if (seconds > 0) {
            fromStart = Double.isNaN(fromStart) ? seconds : Math.max(fromStart, seconds);
        }
    }

    /**
     * The window of a sliding window, as long as it may be, in seconds; NaN before any answer measured it. A call into an
     * empty sliding window (its answer's remaining count is the limit less one) is told it counts until one window after
     * it: the time from its start to that reset is at least the window (the time the request took on top), never less.
     * An instance that only ever meets the key busy measures nothing and waits for the announced resets. Resets in whole seconds are taken to
     * come from a window of whole seconds, rounded up: the window is that time less up to 0.95 s of rounding, in whole
     * seconds (a second more when the call started in the last 0.05 s of a second, never less than the window).
     */
    double slidingWindowSeconds() {
        if (!(fromStart > 0)) {
            return Double.NaN;
        }
        return wholeSecondResets ? Math.max(1, Math.ceil(fromStart - 0.95)) : fromStart;
    }

    /**
     * A call paced from this instance's own calls was answered 429 at {@code now}. When the window was measured on a
     * call that shared it with others (an instance that joined a busy key), that measure may be short: it grows by a
     * second (whole-second resets) or 5 % and 50 ms, at most once per window. A window measured on a call it held alone
     * is not short: such a 429 comes from others spending beyond their share.
     */
    void refusedWhilePacedFromOwnCalls(Instant now) {
        double window = slidingWindowSeconds();
        if (windowMeasuredAlone || !(window > 0) || now.isBefore(lengthenedAt.plusNanos((long) (window * 1e9)))) {
            return;
        }
        fromStart += wholeSecondResets ? 1 : window * 0.05 + 0.05;
        lengthenedAt = now;
    }

    /**
     * A reset later than any before is evidence of the shape: with the budget back near the limit, a window ended; with
     * the budget about where it was, it comes back bit by bit. True when this answer is the first of a new window.
     */
    private boolean learnShape(Instant newReset, int reported) {
        if (newReset == null) {
            return false;
        }
        if (newestReset == null || newReset.isAfter(newestReset)) {
            boolean began = newestReset != null;
            if (began) {
                boolean cameBack = reported - lastReported >= Math.max(2, limit() / 4);
                shape = cameBack ? BudgetShape.WINDOW : BudgetShape.CONTINUOUS;
            }
            newestReset = newReset;
            lastReported = reported;
            return began;
        }
        if (newReset.equals(newestReset)) {
            // answers overtake each other: the lowest count of one reset is the latest
            lastReported = Math.min(lastReported, reported);
        }
        return false;
    }

    /**
     * Where the server's window end falls on the local clock: the time left on the server's clock (reset minus its
     * {@code Date}, or minus now without one). At most a year ahead, so that instant arithmetic cannot overflow.
     */
    private Instant localReset(Instant serverReset, Optional<String> date) {
        Instant now = clock.instant();
        Instant serverNow = date.flatMap(d -> RetryAfter.httpDate(d, now)).orElse(now);
        Duration behind = Duration.between(serverNow, now);
        if (behind.compareTo(DATE_RESOLUTION.negated()) >= 0 && behind.compareTo(DATE_RESOLUTION.plus(DATE_TRANSIT)) <= 0) {
            // The Date header has whole seconds, cut down, and was written before the answer travelled: within that the
            // clocks agree, and the local one is the finer.
            serverNow = now;
        }
        Duration left = Duration.between(serverNow, serverReset);
        return now.plus(left.compareTo(YEAR) > 0 ? YEAR : left);
    }

    /** The window ended: how much came back is unknown until an answer tells. */
    void rollOver() {
        rolledPast = reset == null ? rolledPast : reset;
        reset = null;
        resetAt = null;
    }

    /** The budget as {@link PacingPolicy} reads it, at {@code at}, with {@code keyRemaining} calls left for the key. */
    PacingPolicy.Budget at(Instant at, double keyRemaining) {
        double toReset = resetAt == null ? windowSecondsOr(1) : Math.max(0, Duration.between(at, resetAt).toNanos() / 1e9);
        if (reset != null && reset.getNano() == 0 && toReset > 2 * WHOLE_SECOND_RESET_ALLOWANCE) {
            // A reset in whole seconds is (most likely) rounded up: the window really ends up to a second earlier, and
            // budget still left then is lost. Spread it as if it ended half a second earlier.
            toReset -= WHOLE_SECOND_RESET_ALLOWANCE;
        }
        return new PacingPolicy.Budget(shape, limit(), Math.max(0, keyRemaining), toReset, windowSecondsOr(1), refill);
    }

    double windowSecondsOr(double fallback) {
        return windowSeconds > 0 ? windowSeconds : fallback;
    }

    int limit() {
        return limit > 0 ? limit : Math.max(1, highestRemaining);
    }

    /** The key's average, calls per second; NaN before a window is known. */
    double average() {
        return windowSeconds > 0 && limit() > 0 ? limit() / windowSeconds : Double.NaN;
    }

    @Override
    public String toString() {
        return "shape=" + shape + ", limit=" + limit + ", reset=" + reset + ", resetAt=" + resetAt + ", window="
                + windowSeconds + "s, refill=" + refill + "/s";
    }
}
