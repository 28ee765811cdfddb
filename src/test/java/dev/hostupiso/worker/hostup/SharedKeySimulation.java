package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.simulator.RateWindow;
import dev.hostupiso.worker.simulator.RateWindowModel;
import dev.hostupiso.worker.simulator.ResetPrecision;
import dev.hostupiso.worker.wire.RateLimitHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.PriorityQueue;

/**
 * Several {@link HostUpRateLimiter}s (one per simulated worker instance) sharing one key of the simulator's
 * {@link RateWindow}, on a virtual clock: every instance has a backlog that never runs out, each of its jobs asks its
 * limiter for a slot, calls, and feeds the answer (headers rounded as the simulator writes them, a {@code Date} header
 * of whole seconds) back, with a 429's {@code Retry-After} paused as the worker does. Deterministic and fast: ten
 * 10-second windows take milliseconds.
 */
public final class SharedKeySimulation {


    /** Calls of one run within the measured span (the first {@code windows} windows after the first call). */
    public record Result(RateWindowModel model, long[] ok, long[] refused, double allowed, double peakPerSecond,
                  double averagePerSecond) {
        public long okTotal() {
            return Arrays.stream(ok).sum();
        }

        public long refusedTotal() {
            return Arrays.stream(refused).sum();
        }

        public double usedFraction() {
            return okTotal() / allowed;
        }

        public double refusedFraction() {
            return refusedTotal() / (double) (okTotal() + refusedTotal());
        }

        public double peakRatio() {
            return peakPerSecond / averagePerSecond;
        }

        @Override
        public String toString() {
            return String.format("%s: used %d of %.0f (%.3f), 429 %d (%.4f), peak %.1f/s vs average %.1f/s (%.2f), per instance ok %s 429 %s",
                    model, okTotal(), allowed, usedFraction(), refusedTotal(), refusedFraction(), peakPerSecond,
                    averagePerSecond, peakRatio(), Arrays.toString(ok), Arrays.toString(refused));
        }
    }

    private record Event(long atNanos, long seq, Runnable action) {
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.atNanos != b.atNanos
            ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.seq, b.seq));
    private final VirtualClock clock;
    private long seq;
    private static final boolean TRACE = Boolean.getBoolean("sim.trace2");
    private long lastTrace = -1;
    private final List<long[]> calls = new ArrayList<>(); // {atMillis, instance, refused 0/1}

    private void at(long nanos, Runnable r) {
        queue.add(new Event(nanos, seq++, r));
    }

    private final ResetPrecision precision;

    private SharedKeySimulation(long phaseMillis, ResetPrecision precision) {
        clock = new VirtualClock(Instant.parse("2026-11-27T10:00:00Z").plusMillis(phaseMillis));
        this.precision = precision;
    }

    static Result run(RateWindowModel model, int limit, Duration window, int instances, int windows, int jobsPerInstance,
                      Duration latency, PacingPolicy policy) {
        return run(model, limit, window, instances, windows, jobsPerInstance, latency, policy, 300);
    }

    /** {@code phaseMillis}: where in a whole second the run starts (resets are rounded to whole seconds). */
    static Result run(RateWindowModel model, int limit, Duration window, int instances, int windows, int jobsPerInstance,
                      Duration latency, PacingPolicy policy, long phaseMillis) {
        double[] shares = new double[instances];
        java.util.Arrays.fill(shares, 1.0 / instances);
        return new SharedKeySimulation(phaseMillis, ResetPrecision.SECONDS).go(model, limit, window, shares, windows,
                jobsPerInstance, latency, policy);
    }

    /**
     * One cell of the rate-limit matrix: instances whose limiters believe the given {@code shares} (one per instance;
     * they need not add up to 1: an instance without partitions, a skewed assignment) share one key whose resets are
     * written with {@code precision}.
     */
    public static Result run(RateWindowModel model, int limit, Duration window, double[] shares, int windows,
                             int jobsPerInstance, Duration latency, ResetPrecision precision, long phaseMillis) {
        return new SharedKeySimulation(phaseMillis, precision).go(model, limit, window, shares, windows, jobsPerInstance,
                latency, PacingPolicy.DEFAULT);
    }

    private Result go(RateWindowModel model, int limit, Duration window, double[] shares, int windows, int jobsPerInstance,
                      Duration latency, PacingPolicy policy) {
        RateWindow key = RateWindow.of(model, limit, window.toMillis());
        long end = (windows + 2L) * window.toNanos();
        int instances = shares.length;
        for (int i = 0; i < instances; i++) {
            double share = shares[i];
            // Seeded: the same cell gives the same figures on every run.
            HostUpRateLimiter limiter = new HostUpRateLimiter(clock, new WorkerMetrics(new SimpleMeterRegistry()), null,
                    Duration.ofMinutes(10), policy, () -> share, new java.util.SplittableRandom(42 + i));
            int instance = i;
            for (int j = 0; j < jobsPerInstance; j++) {
                at(0, () -> attempt(limiter, key, instance, latency, end));
            }
        }
        while (!queue.isEmpty()) {
            Event e = queue.poll();
            clock.setNanos(e.atNanos);
            e.action.run();
        }
        long first = calls.stream().mapToLong(c -> c[0]).min().orElse(0);
        long spanEnd = first + windows * window.toMillis();
        long[] ok = new long[instances];
        long[] refused = new long[instances];
        List<Long> times = new ArrayList<>();
        for (long[] c : calls) {
            if (c[0] < spanEnd) {
                (c[2] == 1 ? refused : ok)[(int) c[1]]++;
                times.add(c[0]);
            }
        }
        times.sort(null);
        if (Boolean.getBoolean("sim.trace")) {
            int[] perSecond = new int[(int) ((spanEnd - first) / 1000) + 1];
            int[] refusedPerSecond = new int[perSecond.length];
            for (long[] c : calls) {
                if (c[0] < spanEnd) {
                    (c[2] == 1 ? refusedPerSecond : perSecond)[(int) ((c[0] - first) / 1000)]++;
                }
            }
            System.out.println(model + " first calls (ms, instance): " + calls.stream().limit(24)
                    .map(c -> (c[0] - first) + "/" + c[1] + (c[2] == 1 ? "!" : "")).toList());
            System.out.println(model + " per second: " + Arrays.toString(perSecond) + " 429: " + Arrays.toString(refusedPerSecond));
        }
        int peak = 0;
        for (int a = 0, b = 0; b < times.size(); b++) {
            while (times.get(b) - times.get(a) >= 1000) {
                a++;
            }
            peak = Math.max(peak, b - a + 1);
        }
        double allowed = model == RateWindowModel.TOKEN_BUCKET ? limit * (windows + 1.0) : limit * (double) windows;
        return new Result(model, ok, refused, allowed, peak, limit / (window.toMillis() / 1000.0));
    }

    private void attempt(HostUpRateLimiter limiter, RateWindow key, int instance, Duration latency, long end) {
        long now = clock.nanos();
        if (now >= end) {
            return;
        }
        HostUpRateLimiter.Reservation r = limiter.reserve();
        if (TRACE && instance == 0 && now / 100_000_000 != lastTrace) {
            lastTrace = now / 100_000_000;
            System.out.println(clock.instant() + " " + r + " " + limiter);
        }
        long later = now + Math.max(r.delay().toNanos(), 1_000);
        if (!r.granted()) {
            at(later, () -> attempt(limiter, key, instance, latency, end));
            return;
        }
        at(now + r.delay().toNanos(), () -> {
            long callMillis = clock.instant().toEpochMilli();
            RateWindow.Decision d = key.hit(callMillis);
            calls.add(new long[] {clock.nanos() / 1_000_000, instance, d.exceeded() ? 1 : 0});
            at(clock.nanos() + latency.toNanos(), () -> {
                Instant serverNow = Instant.ofEpochMilli(callMillis);
                Instant reset = precision.header(d.resetMillis());
                String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(serverNow.atZone(ZoneOffset.UTC));
                limiter.answered();
                if (d.exceeded()) {
                    limiter.refused();
                    limiter.pauseFor(Duration.ofSeconds(Math.max(1, (d.retryAfterMillis() + 999) / 1000)));
                }
                limiter.observe(Optional.of(new RateLimitHeaders(OptionalInt.of(d.limit()), OptionalInt.of(d.remaining()),
                        Optional.of(reset))), Optional.of(date));
                attempt(limiter, key, instance, latency, end);
            });
        });
    }

    private static final class VirtualClock extends Clock {
        private final Instant origin;
        private long nanos;

        VirtualClock(Instant origin) {
            this.origin = origin;
        }

        void setNanos(long n) {
            nanos = n;
        }

        long nanos() {
            return nanos;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return origin.plusNanos(nanos);
        }
    }
}
