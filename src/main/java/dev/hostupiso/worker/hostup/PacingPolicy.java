package dev.hostupiso.worker.hostup;

/**
 * How fast one instance spends its share of an API key's budget: a pure function of what the answers showed, with
 * no assumption about the server's window algorithm. Immutable; validated on construction.
 * <ul>
 * <li>The key's sustainable average is {@code limit / window}, the window learned as the longest time to a reset any
 * answer announced; for a budget that returns continuously also at most the refill rate seen ({@code (limit -
 * remaining) / time to reset}, exact for a token bucket whose reset is when it is full again).</li>
 * <li>{@link BudgetShape#WINDOW}: the remaining budget is spread evenly until the reset ({@code remaining / time
 * left}); none is spent past it until an answer shows what came back.</li>
 * <li>{@link BudgetShape#CONTINUOUS}: calls go at the sustainable average, faster while the remaining budget is above
 * {@code reserve} of the limit and slower below it, but not below {@code remaining / time left}.</li>
 * <li>Never faster than {@code burst} × the sustainable average: a 1 s peak stays near the window's average.</li>
 * <li>The result is scaled by this instance's share and by the AIMD factor (halved by {@code decrease} on a 429,
 * never below {@code floor}, back to 1 over one window).</li>
 * </ul>
 *
 * @param burst    ceiling on the paced rate as a multiple of the sustainable average; ≥ 1
 * @param reserve  fraction of the limit a continuous budget is kept at; in [0, 0.5)
 * @param gain     how strongly a continuous budget above or below the reserve speeds up or slows down calls; ≥ 0
 * @param decrease factor applied to the rate after a 429; in (0, 1)
 * @param floor    lowest AIMD factor; in (0, 1]
 */
public record PacingPolicy(double burst, double reserve, double gain, double decrease, double floor) {

    /** The defaults: burst 1.5, reserve 0, gain 2, decrease 0.5, floor 0.125. */
    public static final PacingPolicy DEFAULT = new PacingPolicy(1.5, 0, 2, 0.5, 0.125);

    public PacingPolicy {
        if (!(burst >= 1) || Double.isInfinite(burst)) {
            throw new IllegalArgumentException("burst must be a finite number ≥ 1, got " + burst);
        }
        if (!(reserve >= 0 && reserve < 0.5)) {
            throw new IllegalArgumentException("reserve must be in [0, 0.5), got " + reserve);
        }
        if (!(gain >= 0) || Double.isInfinite(gain)) {
            throw new IllegalArgumentException("gain must be a finite number ≥ 0, got " + gain);
        }
        if (!(decrease > 0 && decrease < 1)) {
            throw new IllegalArgumentException("decrease must be in (0, 1), got " + decrease);
        }
        if (!(floor > 0 && floor <= 1)) {
            throw new IllegalArgumentException("floor must be in (0, 1], got " + floor);
        }
    }

    /** {@link #DEFAULT} with another burst ceiling. */
    public static PacingPolicy withBurst(double burst) {
        return new PacingPolicy(burst, DEFAULT.reserve, DEFAULT.gain, DEFAULT.decrease, DEFAULT.floor);
    }

    /**
     * What the answers showed about a key's budget.
     *
     * @param shape         learned shape
     * @param limit         {@code X-RateLimit-Limit}, > 0
     * @param remaining     budget left for the whole key (not only this instance), ≥ 0
     * @param secondsToReset time until the announced reset, ≥ 0
     * @param windowSeconds learned window: the longest time to a reset seen, > 0
     * @param refillPerSecond highest {@code (limit - remaining) / time to reset} seen; NaN when unknown
     */
    public record Budget(BudgetShape shape, int limit, double remaining, double secondsToReset, double windowSeconds,
                         double refillPerSecond) {
        public Budget {
            if (limit <= 0 || !(windowSeconds > 0) || remaining < 0 || secondsToReset < 0) {
                throw new IllegalArgumentException("inconsistent budget: limit " + limit + ", remaining " + remaining
                        + ", to reset " + secondsToReset + " s, window " + windowSeconds + " s");
            }
        }
    }

    /** The key's sustainable average, calls per second. */
    public double sustainable(Budget b) {
        double average = b.limit() / b.windowSeconds();
        if (b.shape() == BudgetShape.CONTINUOUS && b.refillPerSecond() > 0) {
            return Math.min(average, b.refillPerSecond());
        }
        return average;
    }

    /**
     * Calls per second the whole key may take now (before share and AIMD factor); 0 means: nothing until the reset.
     */
    public double keyRate(Budget b) {
        double average = sustainable(b);
        double cap = burst * average;
        double spread = b.remaining() / Math.max(b.secondsToReset(), 0.001);
        if (b.shape() != BudgetShape.CONTINUOUS) {
            return b.remaining() < 1 ? 0 : Math.min(cap, spread);
        }
        double steered = average * (1 + gain * (b.remaining() / b.limit() - reserve));
        double low = average * Math.max(0.25, 1 - gain * reserve);
        return Math.min(cap, Math.max(low, Math.max(steered, spread)));
    }

    /** This instance's rate: {@link #keyRate} × share × AIMD factor. */
    public double instanceRate(Budget b, double share, double aimd) {
        return keyRate(b) * ShareSource.clamp(share) * Math.max(floor, Math.min(1, aimd));
    }

    /**
     * Whether spent budget comes back in chunks at the announced reset rather than dripping back before it: the
     * highest refill seen ({@code (limit - remaining) / time to reset}) is far above the window's average, as when a
     * sliding window's reset is only the oldest call expiring.
     */
    public boolean returnsInChunks(Budget b) {
        return b.refillPerSecond() > 2 * b.limit() / b.windowSeconds();
    }

    /** The AIMD factor after a 429. */
    public double afterRefusal(double aimd) {
        return Math.max(floor, aimd * decrease);
    }

    /** The AIMD factor {@code seconds} after it was {@code aimd}, without a 429: back to 1 over one window. */
    public double recovered(double aimd, double seconds, double windowSeconds) {
        if (!(seconds > 0)) {
            return aimd;
        }
        return Math.min(1, aimd + seconds / windowSeconds);
    }
}
