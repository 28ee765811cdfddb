package dev.hostupiso.worker.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * Probabilities of random faults per API call (authenticated, to a known VPS or job), for chaos runs. Each rate is
 * in [0, 1] and they sum to at most 1; {@link #lostAfterQueue} applies to from-url calls only.
 *
 * @param serverError    {@link Fault#SERVER_ERROR}
 * @param html502        {@link Fault#HTML_502}
 * @param rateLimitStorm {@link Fault#RATE_LIMITED}: the chance a storm of {@code stormLength} 429s starts
 * @param stall          {@link Fault#STALL}
 * @param reset          {@link Fault#RESET}
 * @param oversized      {@link Fault#OVERSIZED}
 * @param lostAfterQueue {@link Fault#LOST_AFTER_QUEUE}
 * @param stallFor       how long a stall holds the connection (make it longer than the client's request timeout)
 * @param stormLength    how many calls in a row a 429 storm answers
 */
public record FaultRates(double serverError, double html502, double rateLimitStorm, double stall, double reset,
                         double oversized, double lostAfterQueue, Duration stallFor, int stormLength) {

    /** No faults. */
    public static final FaultRates NONE = new FaultRates(0, 0, 0, 0, 0, 0, 0, Duration.ofSeconds(1), 1);

    public FaultRates {
        Objects.requireNonNull(stallFor, "stallFor");
        double sum = 0;
        for (double r : new double[] {serverError, html502, rateLimitStorm, stall, reset, oversized, lostAfterQueue}) {
            if (!(r >= 0 && r <= 1)) {
                throw new IllegalArgumentException("fault rates must be in [0, 1]: " + r);
            }
            sum += r;
        }
        if (sum > 1 + 1e-9) {
            throw new IllegalArgumentException("fault rates sum to " + sum + " > 1");
        }
        if (stallFor.isNegative() || stallFor.isZero()) {
            throw new IllegalArgumentException("stallFor must be positive");
        }
        if (stormLength < 1) {
            throw new IllegalArgumentException("stormLength must be >= 1");
        }
    }

    /** Only {@code fault}, at {@code rate} (stall 5 s, storms of 5). */
    public static FaultRates only(Fault fault, double rate) {
        double[] r = new double[Fault.values().length];
        r[fault.ordinal()] = rate;
        return new FaultRates(r[0], r[1], r[2], r[3], r[4], r[5], r[6], Duration.ofSeconds(5), 5);
    }

    /** The rate of {@code fault}. */
    public double rate(Fault fault) {
        switch (fault) {
            case SERVER_ERROR: return serverError;
            case HTML_502: return html502;
            case RATE_LIMITED: return rateLimitStorm;
            case STALL: return stall;
            case RESET: return reset;
            case OVERSIZED: return oversized;
            default: return lostAfterQueue;
        }
    }

    /** Whether any rate is above zero. */
    public boolean any() {
        for (Fault f : Fault.values()) {
            if (rate(f) > 0) {
                return true;
            }
        }
        return false;
    }

    /** A copy with another stall duration. */
    public FaultRates withStallFor(Duration d) {
        return new FaultRates(serverError, html502, rateLimitStorm, stall, reset, oversized, lostAfterQueue, d,
                stormLength);
    }

    /** A copy with another storm length. */
    public FaultRates withStormLength(int n) {
        return new FaultRates(serverError, html502, rateLimitStorm, stall, reset, oversized, lostAfterQueue, stallFor,
                n);
    }
}
