package dev.hostupiso.worker.chaos;

import dev.hostupiso.worker.simulator.FaultRates;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Parameters of a chaos soak. Validated on construction.
 *
 * @param seed             drives request ids, job lengths, the disruption plan and the simulator's faults
 * @param workers          worker processes kept running (one consumer group)
 * @param requests         requests sent, each with its own filename (so a second download is visible)
 * @param duration         how long disruptions go on; requests are spread over the first 60% of it
 * @param disruptEvery     mean pause between two disruptions (actual pauses 0.5x to 1.5x, seeded)
 * @param brokerRestart    whether the broker is restarted once, at 40% of the duration
 * @param jobMin           shortest HostUp job
 * @param jobMax           longest HostUp job
 * @param faults           the simulator's random faults
 * @param requestTimeout   the workers' HostUp request timeout (stalls last longer: {@code faults.stallFor()})
 * @param sessionTimeout   the workers' Kafka session timeout; a SIGSTOP lasts longer than this
 * @param drainTimeout     how long to wait, after the last disruption, for every request's outcome
 */
public record ChaosConfig(long seed, int workers, int requests, Duration duration, Duration disruptEvery,
                          boolean brokerRestart, Duration jobMin, Duration jobMax, FaultRates faults,
                          Duration requestTimeout, Duration sessionTimeout, Duration drainTimeout) {

    /** The soak's default faults: every kind, at rates that leave most calls alone. */
    public static final FaultRates DEFAULT_FAULTS =
            new FaultRates(0.02, 0.01, 0.003, 0.005, 0.01, 0.002, 0.05, Duration.ofSeconds(5), 5);

    public ChaosConfig {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(disruptEvery, "disruptEvery");
        Objects.requireNonNull(faults, "faults");
        if (workers < 1 || requests < 1) {
            throw new IllegalArgumentException("workers and requests must be >= 1");
        }
        if (duration.isNegative() || duration.isZero() || disruptEvery.isNegative() || disruptEvery.isZero()) {
            throw new IllegalArgumentException("duration and disruptEvery must be positive");
        }
        if (jobMin.isNegative() || jobMax.compareTo(jobMin) < 0) {
            throw new IllegalArgumentException("need 0 <= jobMin <= jobMax");
        }
        if (faults.stallFor().compareTo(requestTimeout) <= 0) {
            throw new IllegalArgumentException("stalls must outlast the request timeout");
        }
    }

    /** The full soak: 3 workers, 1,000 requests, 10 minutes, a disruption every ~20 s, one broker restart. */
    public static ChaosConfig soak(long seed) {
        return new ChaosConfig(seed, 3, 1000, Duration.ofMinutes(10), Duration.ofSeconds(20), true,
                Duration.ofSeconds(1), Duration.ofSeconds(8), DEFAULT_FAULTS, Duration.ofSeconds(3),
                Duration.ofSeconds(6), Duration.ofMinutes(5));
    }

    /** The short version for the integration test: ~1 minute of disruptions. */
    public static ChaosConfig quick(long seed) {
        return new ChaosConfig(seed, 3, 80, Duration.ofSeconds(50), Duration.ofSeconds(12), true,
                Duration.ofMillis(500), Duration.ofSeconds(4), DEFAULT_FAULTS, Duration.ofSeconds(3),
                Duration.ofSeconds(6), Duration.ofSeconds(90));
    }

    /** {@code base} with overrides from {@code CHAOS_SEED, CHAOS_WORKERS, CHAOS_REQUESTS, CHAOS_DURATION (e.g. 10m, 150s), CHAOS_DISRUPT_EVERY, CHAOS_BROKER_RESTART}. */
    public static ChaosConfig fromEnv(Map<String, String> env, java.util.function.LongFunction<ChaosConfig> base) {
        long seed = Long.parseLong(env.getOrDefault("CHAOS_SEED", "20261127"));
        ChaosConfig c = base.apply(seed);
        return new ChaosConfig(seed,
                Integer.parseInt(env.getOrDefault("CHAOS_WORKERS", Integer.toString(c.workers))),
                Integer.parseInt(env.getOrDefault("CHAOS_REQUESTS", Integer.toString(c.requests))),
                duration(env.get("CHAOS_DURATION"), c.duration),
                duration(env.get("CHAOS_DISRUPT_EVERY"), c.disruptEvery),
                Boolean.parseBoolean(env.getOrDefault("CHAOS_BROKER_RESTART", Boolean.toString(c.brokerRestart))),
                c.jobMin, c.jobMax, c.faults, c.requestTimeout, c.sessionTimeout, c.drainTimeout);
    }

    /** {@code 90s}, {@code 10m}, {@code 1h} or an ISO-8601 duration. */
    static Duration duration(String v, Duration dflt) {
        if (v == null || v.isBlank()) {
            return dflt;
        }
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.startsWith("p")) {
            return Duration.parse(s.toUpperCase(java.util.Locale.ROOT));
        }
        long n = Long.parseLong(s.substring(0, s.length() - 1));
        switch (s.charAt(s.length() - 1)) {
            case 's': return Duration.ofSeconds(n);
            case 'm': return Duration.ofMinutes(n);
            case 'h': return Duration.ofHours(n);
            default: throw new IllegalArgumentException("duration like 90s, 10m or 1h expected: " + v);
        }
    }
}
