package dev.hostupiso.worker.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The throughput of this worker's earlier downloads, learned to aim the first poll of the next one: its size (the
 * preflight's {@code Content-Length}) divided by a throughput few downloads beat gives a time it is unlikely to take
 * less than ({@link #quickest(long)}), so the polls that would find it queued can be skipped.
 * <p>
 * Bounded and decaying: the mean and variance of the logarithm of bytes per millisecond, each new download weighing at
 * least {@link #WEIGHT}, so old origins and old network paths are forgotten; two numbers of state whatever the number of
 * downloads. Nothing is claimed until {@link #MIN_DOWNLOADS} downloads were seen, nor once no download was seen for
 * {@link #STALE} (what was learned of the network paths then is no guide now). Thread-safe: jobs finish on many threads;
 * one instance per process learns from all of them.
 */
public final class ThroughputPrior {

    /** The least weight of the newest download (an exponential decay over some ten downloads). */
    static final double WEIGHT = 0.1;
    /** Downloads seen before a prior is given. */
    static final int MIN_DOWNLOADS = 5;
    /** Standard deviations above the mean log-throughput the quickest time is taken at (about 1 download in 4,000). */
    static final double Z = 3.5;
    /** Spread assumed at least, in log-throughput: a few alike downloads are no proof the next is alike. */
    static final double MIN_SIGMA = 0.25;
    /** Longest quickest time given: beyond it the prior is no help and blind polling is as good. */
    static final Duration MAX = Duration.ofHours(6);

    /** Without a download for this long, what was learned is forgotten. */
    static final Duration STALE = Duration.ofHours(24);

    private final Clock clock;
    private double meanLog;
    private double varLog;
    private int seen;
    private Instant last = Instant.MIN;

    public ThroughputPrior(Clock clock) {
        this.clock = clock;
    }

    /** Learns from a download of {@code bytes} that took {@code took} from submission to done. */
    public synchronized void observe(long bytes, Duration took) {
        if (bytes <= 0 || took.isNegative() || took.isZero()) {
            throw new IllegalArgumentException("need bytes > 0 and a positive duration, got " + bytes + " in " + took);
        }
        forgetIfStale();
        last = clock.instant();
        double x = Math.log((double) bytes / took.toMillis());
        seen = Math.min(seen + 1, Integer.MAX_VALUE - 1);
        double w = Math.max(WEIGHT, 1.0 / seen);
        double d = x - meanLog;
        meanLog += w * d;
        varLog = (1 - w) * (varLog + w * d * d);
    }

    /**
     * A time a download of {@code bytes} is unlikely to take less than, or empty when too few downloads were seen or
     * the size is unknown (0 or less).
     */
    public Optional<Duration> quickest(long bytes) {
        return expect(bytes).map(DurationPrior::quickest);
    }

    /**
     * What the downloads seen so far say about one of {@code bytes}: a time it is unlikely to take less than and its
     * typical time; empty when too few downloads were seen or the size is unknown (0 or less).
     */
    public synchronized Optional<DurationPrior> expect(long bytes) {
        forgetIfStale();
        if (seen < MIN_DOWNLOADS || bytes <= 0) {
            return Optional.empty();
        }
        double fastest = Math.exp(meanLog + Z * Math.max(MIN_SIGMA, Math.sqrt(varLog)));
        double quickestMs = Math.min(MAX.toMillis(), bytes / fastest);
        double typicalMs = Math.min(MAX.toMillis(), bytes / Math.exp(meanLog));
        return Optional.of(new DurationPrior(Duration.ofMillis((long) quickestMs),
                Duration.ofMillis((long) Math.max(quickestMs, typicalMs))));
    }

    private void forgetIfStale() {
        if (seen > 0 && Duration.between(last, clock.instant()).compareTo(STALE) > 0) {
            seen = 0;
            meanLog = 0;
            varLog = 0;
        }
    }
}
