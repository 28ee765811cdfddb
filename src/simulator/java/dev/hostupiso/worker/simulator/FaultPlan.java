package dev.hostupiso.worker.simulator;

import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Draws the random faults of {@link FaultRates} from one seeded {@link Random}, so a run with the same seed and
 * the same call order gets the same faults. Counts what it injected. Thread-safe.
 */
final class FaultPlan {

    private final Random random;
    private volatile FaultRates rates;
    private final AtomicInteger stormLeft = new AtomicInteger();
    private final AtomicLongArray injected = new AtomicLongArray(Fault.values().length);

    FaultPlan(long seed, FaultRates rates) {
        this.random = new Random(seed);
        this.rates = rates;
    }

    void rates(FaultRates r) {
        this.rates = java.util.Objects.requireNonNull(r, "rates");
        stormLeft.set(0);
    }

    FaultRates rates() {
        return rates;
    }

    /** The fault for the next call to {@code endpoint}, or null for normal handling. */
    Fault draw(Endpoint endpoint) {
        FaultRates r = rates;
        if (stormLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return count(Fault.RATE_LIMITED);
        }
        if (!r.any()) {
            return null;
        }
        double x = random.nextDouble();
        double acc = 0;
        for (Fault f : Fault.values()) {
            acc += r.rate(f);
            if (x < acc) {
                if (f == Fault.LOST_AFTER_QUEUE && endpoint != Endpoint.FROM_URL) {
                    return null;
                }
                if (f == Fault.RATE_LIMITED) {
                    stormLeft.set(r.stormLength() - 1);
                }
                return count(f);
            }
        }
        return null;
    }

    /** The answer that injects {@code fault}; variants are drawn from the same seeded source. */
    ScriptedResponse response(Fault fault) {
        FaultRates r = rates;
        switch (fault) {
            case SERVER_ERROR:
                return random.nextBoolean() ? ScriptedResponse.problem(500, "internal_error")
                        : ScriptedResponse.problem(503, "upstream_unavailable");
            case HTML_502:
                return ScriptedResponse.html(502);
            case RATE_LIMITED:
                return ScriptedResponse.rateLimited("1");
            case STALL:
                return ScriptedResponse.stall(r.stallFor());
            case RESET:
                return ScriptedResponse.reset();
            case OVERSIZED:
                return ScriptedResponse.oversizedProblem(500, "internal_error");
            default:
                switch (random.nextInt(4)) {
                    case 0:
                        return ScriptedResponse.afterHandling(ScriptedResponse.reset());
                    case 1:
                        return ScriptedResponse.afterHandling(ScriptedResponse.problem(500, "internal_error"));
                    case 2:
                        return ScriptedResponse.afterHandling(ScriptedResponse.html(502));
                    default:
                        return ScriptedResponse.afterHandling(ScriptedResponse.stall(r.stallFor()));
                }
        }
    }

    private Fault count(Fault f) {
        injected.incrementAndGet(f.ordinal());
        return f;
    }

    Map<Fault, Long> injected() {
        Map<Fault, Long> m = new EnumMap<>(Fault.class);
        for (Fault f : Fault.values()) {
            m.put(f, injected.get(f.ordinal()));
        }
        return m;
    }

    void clearCounts() {
        for (int i = 0; i < injected.length(); i++) {
            injected.set(i, 0);
        }
        stormLeft.set(0);
    }
}
