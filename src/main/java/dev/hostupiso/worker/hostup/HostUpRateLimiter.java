package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.wire.RateLimitHeaders;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

import static dev.hostupiso.worker.hostup.SlotBook.max;
import static dev.hostupiso.worker.hostup.SlotBook.min;

/**
 * Spends one API key's budget like money: paced, never assuming budget no answer has shown, and only this instance's
 * share of it. One instance per key; all state is per instance, in four parts: what the answers showed
 * ({@link KeyBudget}: limit, reset, learned window and {@link BudgetShape}), the calendar of booked slots and pauses
 * ({@link SlotBook}), the AIMD factor ({@link AimdPace}) and how this instance's share is spent ({@link SharePacer}).
 * <ul>
 * <li><b>Pace, don't burst.</b> Every call books the next slot at {@link PacingPolicy#instanceRate}: the remaining
 * budget spread until the reset, at most {@code burst} × the key's sustainable average.</li>
 * <li><b>No assumed window model.</b> For a fixed window, calls stop when the budget is spent; after the reset one call
 * finds out what came back before any other goes. A budget that returns continuously is spent at its refill rate.</li>
 * <li><b>One budget per key across instances.</b> Each instance spends only its {@link ShareSource} share of what the
 * server reports as remaining, so the group stays within the key's budget without talking to each other.</li>
 * <li><b>AIMD on 429.</b> A 429 pauses every call for {@code Retry-After} ({@link #pauseFor}) and halves the pace.</li>
 * </ul>
 * The budget is decremented locally per reservation, and calls granted but not yet answered are taken off an answer's
 * remaining count. When nothing is known that could pace a call, it is not booked but told to ask again shortly
 * ({@link Reservation#granted()} false). Every wait is bounded by {@code iso.retry-after-max} and by the caller's
 * deadline ({@link #acquire(Instant)} fails at once with {@link PastDeadlineException}). A reset is read against the
 * answer's own {@code Date} header, so a server clock that is off does not stretch or cut the wait.
 */
@ApplicationScoped
public class HostUpRateLimiter {

    /** How long a call waits before asking again when nothing is known yet. */
    static final Duration PROBE_WAIT = Duration.ofMillis(50);

    /** A granted call not released this long after its slot counts as lost (well above any HTTP call's timeout). */
    static final Duration PERMIT_LIFETIME = Duration.ofMinutes(2);

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
    private final PacingPolicy policy;
    private final ShareSource shares;
    /** What the answers showed about the key's budget. */
    private final KeyBudget budget;
    private final SlotBook slots;
    private final AimdPace aimd;
    private final SharePacer pacer;
    private boolean anyAnswer;

    @Inject
    public HostUpRateLimiter(Clock clock, WorkerMetrics metrics, Delays delays, WorkerConfig config, ShareSource shares,
                             RandomGenerator random) {
        this(clock, metrics, delays, config.retryAfterMax(), PacingPolicy.withBurst(config.rateLimit().burst()), shares,
                random);
    }

    /** As the injected constructor, with a randomness of its own (a limiter made outside injection: a team key). */
    public HostUpRateLimiter(Clock clock, WorkerMetrics metrics, Delays delays, WorkerConfig config, ShareSource shares) {
        this(clock, metrics, delays, config, shares, RandomGenerator.getDefault());
    }

    /**
     * A limiter for one key: {@code ceiling} bounds every wait, {@code shares} tells this instance's share of the
     * key's budget.
     */
    public HostUpRateLimiter(Clock clock, WorkerMetrics metrics, Delays delays, Duration ceiling, PacingPolicy policy,
                             ShareSource shares) {
        this(clock, metrics, delays, ceiling, policy, shares, RandomGenerator.getDefault());
    }

    public HostUpRateLimiter(Clock clock, WorkerMetrics metrics, Delays delays, Duration ceiling, PacingPolicy policy,
                             ShareSource shares, RandomGenerator random) {
        if (ceiling.isNegative() || ceiling.isZero()) {
            throw new IllegalArgumentException("wait ceiling must be positive, got " + ceiling);
        }
        this.clock = clock;
        this.metrics = metrics;
        this.delays = delays;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.shares = Objects.requireNonNull(shares, "shares");
        this.budget = new KeyBudget(clock);
        this.slots = new SlotBook(ceiling, PERMIT_LIFETIME, clock);
        this.aimd = new AimdPace(this.policy);
        this.pacer = new SharePacer(this.policy, metrics, this.shares, budget, slots, aimd,
                Objects.requireNonNull(random, "random"));
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
        Instant start = slots.start(now);
        if (!anyAnswer && slots.outstanding() > 0) {
            // Nothing known about the budget yet: one call finds out before the others go.
            return SlotBook.askAgain(now, max(Duration.between(now, start), PROBE_WAIT), notAfter);
        }
        if (!budget.limited) {
            return slots.grant(now, slots.unpaced(now), notAfter, Duration.ZERO);
        }
        if (start.isAfter(notAfter)) {
            return new Reservation(Duration.between(now, start), false, true);
        }
        Duration ahead = Duration.between(now, start);
        if (ahead.compareTo(slots.lookahead) > 0) {
            // Slots are not booked far ahead: the pace is worked out afresh, from the latest answers, near the time.
            return SlotBook.askAgain(now, ahead.minus(slots.lookahead.dividedBy(2)), notAfter);
        }
        return pacer.reserve(now, start, notAfter);
    }

    /** A granted call got an answer or failed: it no longer counts as outstanding. */
    public synchronized void answered() {
        anyAnswer = true;
        slots.released();
    }

    /** A granted call was abandoned before it was answered (cancelled): it no longer counts as outstanding. */
    public synchronized void cancelled() {
        slots.released();
    }

    /** A call was answered 429: the pace drops (multiplicative decrease), recovering over one window. */
    public synchronized void refused() {
        aimd.refused(clock.instant(), budget.windowSecondsOr(1));
        budget.refusedWhilePacedFromOwnCalls(clock.instant());
    }

    @Override
    public synchronized String toString() {
        return "HostUpRateLimiter[" + budget + ", " + pacer + ", aimd=" + aimd + ", " + slots + "]";
    }

    /** The learned shape of the key's budget. */
    public synchronized BudgetShape shape() {
        return budget.shape;
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
            if (budget.noHeaders()) {
                pacer.forget();
            }
            return;
        }
        RateLimitHeaders h = headers.get();
        BudgetShape before = budget.shape;
        budget.learn(h, date, Optional.ofNullable(slots.lastReleasedSlot)).filter(seen -> !seen.stale()).ifPresent(pacer::seen);
        if (before == BudgetShape.UNKNOWN && budget.shape == BudgetShape.CONTINUOUS) {
            // A bucket's first answers read like a tiny window (its reset is when it is full again, a fraction of a
            // second ahead): the slot booked after the last call was spaced for that. Space it at the refill now known.
            pacer.respace(clock.instant());
        }
        metrics.rateLimit(h.limit(), h.remaining());
    }

    /** After a 429: no call of this process starts before {@code wait} (at most the ceiling) has passed. */
    public synchronized void pauseFor(Duration wait) {
        slots.pause(clock.instant(), wait);
    }
}
