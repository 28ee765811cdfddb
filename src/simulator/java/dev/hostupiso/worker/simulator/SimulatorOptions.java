package dev.hostupiso.worker.simulator;

import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Start-up options of a {@link HostUpSimulator}. Build with {@link #builder()}.
 * Its {@code toString()} never shows the API keys.
 */
public final class SimulatorOptions {
    private final int port;
    private final Map<String, Set<String>> tokens;
    private final Clock clock;
    private final int threads;
    private final int maxRecordedCalls;
    private final boolean stockIsos;
    private final FaultRates faults;
    private final long seed;

    private SimulatorOptions(Builder b) {
        this.port = b.port;
        this.tokens = Collections.unmodifiableMap(new LinkedHashMap<>(b.tokens));
        this.clock = b.clock;
        this.threads = b.threads;
        this.maxRecordedCalls = b.maxRecordedCalls;
        this.stockIsos = b.stockIsos;
        this.faults = b.faults;
        this.seed = b.seed;
    }

    /** A builder with the defaults: random port, no tokens, system UTC clock, 32 threads, unbounded call log. */
    public static Builder builder() {
        return new Builder();
    }

    /** Loopback port to bind; 0 picks a free one. */
    public int port() {
        return port;
    }

    /** API keys and their scopes. */
    public Map<String, Set<String>> tokens() {
        return tokens;
    }

    /** Clock driving job progress, rate-limit windows and body timestamps. */
    public Clock clock() {
        return clock;
    }

    /** Size of the request-handling thread pool. */
    public int threads() {
        return threads;
    }

    /** How many recent calls {@link HostUpSimulator#calls()} keeps (counts are always exact). */
    public int maxRecordedCalls() {
        return maxRecordedCalls;
    }

    /** Whether every VPS library starts with a few stock ISOs (e.g. {@code debian-12.iso}). */
    public boolean stockIsos() {
        return stockIsos;
    }

    /** Random faults from the start (default none); changeable with {@link HostUpSimulator#faults(FaultRates)}. */
    public FaultRates faults() {
        return faults;
    }

    /** Seed of the random source the faults are drawn from. */
    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return "SimulatorOptions[port=" + port + ", tokens=" + tokens.size() + ", clock=" + clock
                + ", threads=" + threads + ", maxRecordedCalls=" + maxRecordedCalls + ", stockIsos=" + stockIsos
                + ", faults=" + faults + ", seed=" + seed + "]";
    }

    /** Builder of {@link SimulatorOptions}. Not thread-safe. */
    public static final class Builder {
        private int port = 0;
        private final Map<String, Set<String>> tokens = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();
        private int threads = 32;
        private int maxRecordedCalls = Integer.MAX_VALUE;
        private boolean stockIsos = true;
        private FaultRates faults = FaultRates.NONE;
        private long seed = 1;

        private Builder() {
        }

        /** Random faults from the start (default {@link FaultRates#NONE}). */
        public Builder faults(FaultRates faults) {
            this.faults = Objects.requireNonNull(faults, "faults");
            return this;
        }

        /** Seed of the faults' random source (default 1): the same seed and call order give the same faults. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Port on 127.0.0.1 (0 = any free port). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** Adds an API key with all scopes ({@code read:vm}, {@code write:vm}, {@code write:storage}). */
        public Builder token(String token) {
            return token(token, HostUpSimulator.ALL_SCOPES);
        }

        /** Adds an API key with the given scopes. */
        public Builder token(String token, Set<String> scopes) {
            HostUpSimulator.checkToken(token);
            tokens.put(token, Set.copyOf(Objects.requireNonNull(scopes, "scopes")));
            return this;
        }

        /** Clock for job progress, rate limits and timestamps (default system UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Request-handling threads (default 32). */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1");
            }
            this.threads = threads;
            return this;
        }

        /** Keep only the most recent {@code max} calls in {@link HostUpSimulator#calls()} (for long benchmarks). */
        public Builder maxRecordedCalls(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxRecordedCalls must be >= 0");
            }
            this.maxRecordedCalls = max;
            return this;
        }

        /** Whether libraries start with stock ISOs (default true). */
        public Builder stockIsos(boolean stockIsos) {
            this.stockIsos = stockIsos;
            return this;
        }

        /** Builds the options. */
        public SimulatorOptions build() {
            return new SimulatorOptions(this);
        }
    }
}
