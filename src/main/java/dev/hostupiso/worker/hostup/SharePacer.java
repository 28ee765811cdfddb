package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.hostup.HostUpRateLimiter.Reservation;
import dev.hostupiso.worker.metrics.WorkerMetrics;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

import static dev.hostupiso.worker.hostup.SlotBook.max;
import static dev.hostupiso.worker.hostup.SlotBook.min;

/**
 * How {@link HostUpRateLimiter} spends this instance's share of a known budget: its credit (its share of the freshest
 * remaining count, minus its calls booked since), paced by {@link PacingPolicy}, and what it does once the credit is
 * spent (wait for a fixed window's reset and probe, or go on at the refill rate of a budget that
 * comes back bit by bit). Not thread-safe: the limiter holds its own lock around every use.
 */
final class SharePacer {

    /** A sliding window paced from this instance's own calls is taken to be this much longer (a fraction of it)... */
    static final double OWN_WINDOW_MARGIN = 0.01;
    /** ... and this much more: requests' time in transit differs from one to the next. */
    static final Duration OWN_WINDOW_SLACK = Duration.ofMillis(50);

    private final PacingPolicy policy;
    private final WorkerMetrics metrics;
    private final ShareSource shares;
    private final KeyBudget budget;
    private final SlotBook slots;
    private final AimdPace aimd;
    private final RandomGenerator random;
    /** This instance's calls left; NaN: not known (after a reset, until an answer shows what came back). */
    private double credit = Double.NaN;

    SharePacer(PacingPolicy policy, WorkerMetrics metrics, ShareSource shares, KeyBudget budget, SlotBook slots,
               AimdPace aimd, RandomGenerator random) {
        this.policy = policy;
        this.metrics = metrics;
        this.shares = shares;
        this.budget = budget;
        this.slots = slots;
        this.aimd = aimd;
        this.random = random;
    }

    /** An answer's remaining count, not stale: this instance's credit is its share of it. */
    void seen(KeyBudget.Seen seen) {
        // The server counted the calls it had seen; those granted but unanswered may come on top.
        double mine = ShareSource.clamp(shares.share()) * seen.reported() - slots.outstanding();
        // Answers overtake each other; within one window the lowest count is the freshest.
        credit = seen.sameWindow() && !Double.isNaN(credit) ? Math.min(credit, mine) : mine;
    }

    /** Nothing is known about the credit any more. */
    void forget() {
        credit = Double.NaN;
    }

    /** A slot under a known budget: this instance's share of it, paced, or what to do once it is spent. */
    Reservation reserve(Instant now, Instant start, Instant notAfter) {
        double share = ShareSource.clamp(shares.share());
        boolean continuous = budget.shape == BudgetShape.CONTINUOUS;
        if (!continuous && budget.resetAt != null && !start.isBefore(budget.resetAt)) {
            // The window rolled over: how much came back is unknown until an answer tells.
            budget.rollOver();
            forget();
        }
        if (!continuous && credit < 1) {
            return afterWindowSpent(now, start, notAfter, share);
        }
        if (Double.isNaN(credit)) {
            return slots.outstanding() > 0 ? SlotBook.askAgain(now, Duration.between(now, start).plus(HostUpRateLimiter.PROBE_WAIT), notAfter)
                    : probe(now, start, notAfter, share);
        }
        Instant own = ownWindowFree(share, start);
        if (own.isAfter(start)) {
            return SlotBook.askAgain(now, Duration.between(now, own), notAfter);
        }
        if (credit < 1) {
            return afterDripSpent(now, start, notAfter, share, !own.equals(Instant.MIN));
        }
        double rate = policy.instanceRate(budget.at(start, credit / share), share, aimd.at(now, budget.windowSecondsOr(1)));
        metrics.pacing(share, rate);
        Reservation r = slots.grant(now, start, notAfter, slots.interval(rate));
        if (r.granted()) {
            credit -= 1;
        }
        return r;
    }

    /** The next free slot, no sooner after the last one granted than the pace the budget now allows. */
    void respace(Instant now) {
        double share = ShareSource.clamp(shares.share());
        if (Double.isNaN(credit) || credit < 1) {
            return;
        }
        double rate = policy.instanceRate(budget.at(now, credit / share), share, aimd.at(now, budget.windowSecondsOr(1)));
        slots.respace(slots.interval(rate));
    }

    /** This instance's share of a window is spent: nothing before the reset; the first call after it finds out what came back. */
    private Reservation afterWindowSpent(Instant now, Instant start, Instant notAfter, double share) {
        if (budget.resetAt == null) {
            return slots.outstanding() > 0 ? SlotBook.askAgain(now, Duration.between(now, start).plus(HostUpRateLimiter.PROBE_WAIT), notAfter)
                    : probe(now, start, notAfter, share);
        }
        Instant at = slots.bounded(now, budget.resetAt);
        if (at.isAfter(notAfter)) {
            return new Reservation(Duration.between(now, at), false, true);
        }
        budget.rollOver();
        forget();
        // The probe's own spacing (this instance's share of the key's average) keeps an instance whose share is less
        // than one call per window from probing after every reset.
        return probe(now, max(start, at), notAfter, share);
    }

    /**
     * Up to one of this instance's average intervals, at random: where budget comes back in chunks at each announced
     * reset (a sliding window's oldest call expiring frees one call), instances of one key go one after the other
     * instead of all at the instant that freed a single call.
     */
    private Duration stagger(double share) {
        double average = budget.average();
        return average > 0 ? Duration.ofNanos((long) (random.nextDouble() * slots.interval(average * share).toNanos())) : Duration.ZERO;
    }

    /**
     * A budget that comes back bit by bit, all spent: the next call goes when the reset announces the next
     * bit (a sliding window's oldest call expiring) or, if that is later, at the low pace of a refilling one.
     */
    private Reservation afterDripSpent(Instant now, Instant start, Instant notAfter, double share, boolean ownWindow) {
        PacingPolicy.Budget spent = budget.at(start, 0);
        double aimdFactor = aimd.at(now, budget.windowSecondsOr(1));
        // A sliding window paced from this instance's own calls: its share of the window's average, the window as the
        // own count reads it (the longest time to a reset seen may include a second of rounding up).
        double low = ownWindow ? budget.limit() / budget.slidingWindowSeconds() * share
                : policy.instanceRate(spent, share, aimdFactor);
        Instant at = slots.lastGrant.plus(slots.interval(low));
        if (budget.resetAt != null && !ownWindow) {
            // Budget that came back in chunks (a sliding window) comes back at the reset, not before; budget that
            // drips (a bucket whose reset is when it is full) is there before the reset.
            Instant reset = slots.bounded(now, budget.resetAt);
            at = policy.returnsInChunks(spent) ? max(at, reset.plus(stagger(share))) : min(at, reset);
        }
        at = max(start, at);
        if (at.isAfter(notAfter)) {
            return new Reservation(Duration.between(now, at), false, true);
        }
        if (Duration.between(now, at).compareTo(slots.lookahead) > 0) {
            return SlotBook.askAgain(now, Duration.between(now, at).minus(slots.lookahead.dividedBy(2)), notAfter);
        }
        metrics.pacing(share, low);
        Reservation r = slots.grant(now, at, notAfter, slots.interval(low));
        credit -= 1;
        return r;
    }

    /**
     * A sliding window (budget that comes back in chunks, as the oldest calls expire): the earliest this instance's next
     * call keeps its own calls within its share of the limit in any window, counted by itself, with a margin for the
     * requests' time in transit ({@link #OWN_WINDOW_MARGIN} of the window plus {@link #OWN_WINDOW_SLACK}). Instances
     * whose shares add up to at most 1 then never overfill it, and none waits for an announced reset, which may be
     * rounded up to a whole second. {@link Instant#MIN} when the budget is not a sliding window, the window not measured
     * yet, or the share less than one call.
     */
    private Instant ownWindowFree(double share, Instant start) {
        if (budget.shape != BudgetShape.CONTINUOUS) {
            return Instant.MIN;
        }
        double window = budget.slidingWindowSeconds();
        int calls = (int) Math.floor(share * budget.limit() + 1e-9);
        if (!(window > 0) || calls < 1 || !policy.returnsInChunks(budget.at(start, 0))) {
            return Instant.MIN;
        }
        double seconds = window * (1 + OWN_WINDOW_MARGIN) + OWN_WINDOW_SLACK.toNanos() / 1e9;
        return slots.own.freeAt(calls, Duration.ofNanos((long) (seconds * 1e9)));
    }

    /** One call that finds out the budget; the next one of this instance goes no sooner than the key's average allows. */
    private Reservation probe(Instant now, Instant start, Instant notAfter, double share) {
        double average = budget.average();
        double rate = Double.isNaN(average) ? Double.NaN : average * share * aimd.at(now, budget.windowSecondsOr(1));
        return slots.grant(now, start, notAfter, Double.isNaN(rate) ? Duration.ZERO : slots.interval(rate));
    }

    @Override
    public String toString() {
        return "credit=" + credit;
    }
}
