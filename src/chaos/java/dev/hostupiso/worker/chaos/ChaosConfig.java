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
 * @param kinds            the worker disruptions the plan draws from (partitions need network namespaces)
 * @param maxDisruptions   at most this many worker disruptions in the plan
 * @param partitionFor     how long a partition lasts: longer than the session and the transaction timeouts
 * @param txTimeout        the ledger producers' transaction timeout
 * @param ambiguityWindow  the workers' {@code ISO_SUBMIT_AMBIGUITY_WINDOW}
 * @param longJob          one VPS in ten downloads this long: longer than the ambiguity window (zero: none)
 */
public record ChaosConfig(long seed, int workers, int requests, Duration duration, Duration disruptEvery,
                          boolean brokerRestart, Duration jobMin, Duration jobMax, FaultRates faults,
                          Duration requestTimeout, Duration sessionTimeout, Duration drainTimeout,
                          java.util.List<Disruption> kinds, int maxDisruptions, Duration partitionFor,
                          Duration txTimeout, Duration ambiguityWindow, Duration longJob) {

    /** Worker disruptions without network partitions. */
    public static final java.util.List<Disruption> SIGNALS = java.util.List.of(Disruption.KILL, Disruption.TERM,
            Disruption.STOP_CONT);
    /** Every worker disruption, network partitions included. */
    public static final java.util.List<Disruption> ALL = java.util.List.of(Disruption.KILL, Disruption.TERM,
            Disruption.STOP_CONT, Disruption.PARTITION_BROKER, Disruption.PARTITION_HOSTUP, Disruption.PARTITION_BOTH);

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
        kinds = java.util.List.copyOf(kinds);
        if (kinds.isEmpty() || maxDisruptions < 0) {
            throw new IllegalArgumentException("need at least one disruption kind and maxDisruptions >= 0");
        }
        if (kinds.stream().anyMatch(Disruption::isPartition) && (partitionFor.compareTo(sessionTimeout) <= 0 || partitionFor.compareTo(txTimeout) <= 0)) {
            throw new IllegalArgumentException("a partition must outlast the session and the transaction timeouts");
        }
        if (!longJob.isZero() && longJob.compareTo(ambiguityWindow) <= 0) {
            throw new IllegalArgumentException("long downloads must outlast the ambiguity window");
        }
    }

    /** Whether the plan cuts networks (the workers then run in network namespaces). */
    public boolean partitions() {
        return kinds.stream().anyMatch(Disruption::isPartition);
    }

    /**
     * The full soak: 3 workers, 1,500 requests over 15 minutes, a disruption every ~20 s (signals and network
     * partitions of 25 s), one broker restart, one VPS in ten with downloads longer than the ambiguity window.
     */
    public static ChaosConfig soak(long seed) {
        return new ChaosConfig(seed, 3, 1500, Duration.ofMinutes(15), Duration.ofSeconds(20), true,
                Duration.ofSeconds(1), Duration.ofSeconds(8), DEFAULT_FAULTS, Duration.ofSeconds(3),
                Duration.ofSeconds(6), Duration.ofMinutes(5), ALL, Integer.MAX_VALUE, Duration.ofSeconds(25),
                Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30));
    }

    /**
     * The short version for the integration test: ~1 minute of signals and a broker restart. Downloads (0.5–4 s)
     * stay shorter than the ambiguity window: the short runs check the ledger and the hand-overs, the soak also
     * the window.
     */
    public static ChaosConfig quick(long seed) {
        return new ChaosConfig(seed, 3, 80, Duration.ofSeconds(50), Duration.ofSeconds(12), true,
                Duration.ofMillis(500), Duration.ofSeconds(4), DEFAULT_FAULTS, Duration.ofSeconds(3),
                Duration.ofSeconds(6), Duration.ofSeconds(90), SIGNALS, Integer.MAX_VALUE, Duration.ofSeconds(25),
                Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ZERO);
    }

    /**
     * The short partition run for the integration test: one worker cut off from the broker and HostUp for 25 s
     * (past the session and transaction timeouts) while requests keep coming, then healed. The cut starts 10 to
     * 30 s in (seeded), so it heals 5 s or more before the requests stop: load before, during and after it.
     */
    public static ChaosConfig partition(long seed) {
        return new ChaosConfig(seed, 2, 90, Duration.ofSeconds(60), Duration.ofSeconds(20), false,
                Duration.ofMillis(500), Duration.ofSeconds(4), DEFAULT_FAULTS, Duration.ofSeconds(3),
                Duration.ofSeconds(6), Duration.ofSeconds(120), java.util.List.of(Disruption.PARTITION_BOTH), 1,
                Duration.ofSeconds(25), Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ZERO);
    }

    /** {@code base} with overrides from {@code CHAOS_SEED, CHAOS_WORKERS, CHAOS_REQUESTS, CHAOS_DURATION (e.g. 10m, 150s), CHAOS_DISRUPT_EVERY, CHAOS_BROKER_RESTART, CHAOS_PARTITIONS}. */
    public static ChaosConfig fromEnv(Map<String, String> env, java.util.function.LongFunction<ChaosConfig> base) {
        long seed = Long.parseLong(env.getOrDefault("CHAOS_SEED", "20261127"));
        ChaosConfig c = base.apply(seed);
        return new ChaosConfig(seed,
                Integer.parseInt(env.getOrDefault("CHAOS_WORKERS", Integer.toString(c.workers))),
                Integer.parseInt(env.getOrDefault("CHAOS_REQUESTS", Integer.toString(c.requests))),
                duration(env.get("CHAOS_DURATION"), c.duration),
                duration(env.get("CHAOS_DISRUPT_EVERY"), c.disruptEvery),
                Boolean.parseBoolean(env.getOrDefault("CHAOS_BROKER_RESTART", Boolean.toString(c.brokerRestart))),
                c.jobMin, c.jobMax, c.faults, c.requestTimeout, c.sessionTimeout, c.drainTimeout,
                Boolean.parseBoolean(env.getOrDefault("CHAOS_PARTITIONS", Boolean.toString(c.partitions())))
                        ? c.kinds.stream().anyMatch(Disruption::isPartition) ? c.kinds : ALL : SIGNALS,
                c.maxDisruptions, c.partitionFor, c.txTimeout, c.ambiguityWindow, c.longJob);
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
