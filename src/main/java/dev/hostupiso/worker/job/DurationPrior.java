package dev.hostupiso.worker.job;

import java.time.Duration;
import java.util.Objects;

/**
 * What earlier downloads say about the duration of one of a known size ({@link ThroughputPrior#expect(long)}).
 *
 * @param quickest a time the download is unlikely to take less than (about 1 in several thousand do)
 * @param typical  the time a download of its size typically takes (the median), at least {@code quickest}
 */
public record DurationPrior(Duration quickest, Duration typical) {

    public DurationPrior {
        Objects.requireNonNull(quickest, "quickest");
        Objects.requireNonNull(typical, "typical");
        if (quickest.isNegative() || typical.compareTo(quickest) < 0) {
            throw new IllegalArgumentException("need 0 <= quickest <= typical, got " + quickest + " and " + typical);
        }
    }

    /** Whether a download estimated to take {@code totalMs} in all is within {@code factor} of the typical time. */
    boolean agrees(double totalMs, double factor) {
        double typicalMs = Math.max(1, typical.toMillis());
        return totalMs >= typicalMs / factor && totalMs <= typicalMs * factor;
    }
}
