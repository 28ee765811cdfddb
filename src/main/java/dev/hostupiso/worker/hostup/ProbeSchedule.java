package dev.hostupiso.worker.hostup;

import java.time.Duration;

/**
 * How often a held key is probed: {@code initial} after the hold starts, doubling after each probe
 * that does not end it, up to {@code max}. The delay is stretched by this instance's share of the
 * key, so that the instances sharing a key together probe it at most once per delay, however many
 * there are and however many requests wait.
 */
public record ProbeSchedule(Duration initial, Duration max) {

    /** One probe per 5 s per key, backing off to one a minute. */
    public static final ProbeSchedule DEFAULT = new ProbeSchedule(Duration.ofSeconds(5), Duration.ofMinutes(1));

    public ProbeSchedule {
        if (initial == null || initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("probe interval must be positive, got " + initial);
        }
        if (max == null || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("probe ceiling must be at least the interval " + initial + ", got " + max);
        }
    }

    /** The wait before probe number {@code attempt} (0 for the first of a hold), for an instance holding {@code share} of the key. */
    public Duration delay(int attempt, double share) {
        Duration d = initial;
        for (int i = 0; i < attempt && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        if (d.compareTo(max) > 0) {
            d = max;
        }
        return Duration.ofNanos(Math.round(d.toNanos() / ShareSource.clamp(share)));
    }
}
