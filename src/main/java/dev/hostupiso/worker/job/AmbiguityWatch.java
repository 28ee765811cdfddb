package dev.hostupiso.worker.job;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How long, and when, the worker reads the ISO library after a from-url call whose fate is unknown (a timeout
 * after sending, a reset, a 5xx): a pure policy, validated on construction.
 * <p>
 * <b>The window</b> is how long the file may take to appear: as long as its download may take. The only size the
 * worker knows is the one the origin told the URL preflight; at {@link #ASSUMED_BYTES_PER_SECOND} (the slow end
 * of what HostUp's downloads reach) that gives the expected duration, and the window is that times
 * {@link #MARGIN}, never shorter than the configured window ({@code iso.submit.ambiguity-window}, used alone when
 * the size is unknown) and never longer than {@link #MAX_WINDOW}. Only after the window may from-url be called
 * again: a shorter one would start a second download of a file still on its way.
 * <p>
 * <b>The reads</b>: a read can only find the file once the download could have ended, so after one read at once
 * (a file that was there already, a previous owner's download long finished) the others wait for the expected
 * duration and are then spread evenly to the end of the window: at most {@link #READS} reads per window, never
 * two closer than {@code minSpacing} (the poll's initial delay).
 *
 * @param base       the window when nothing is known, and the least one
 * @param minSpacing the least time between two reads
 */
public record AmbiguityWatch(Duration base, Duration minSpacing) {

    /** Bytes per second a download is assumed to reach at least: 20 GB (HostUp's largest) take about 67 minutes. */
    static final double ASSUMED_BYTES_PER_SECOND = 5_000_000;
    /** The window is the expected duration times this. */
    static final double MARGIN = 1.5;
    /** No window is longer: past it the file is taken as not coming (HostUp's downloads end within about an hour). */
    static final Duration MAX_WINDOW = Duration.ofMinutes(120);
    /** Library reads per window, at most. */
    static final int READS = 8;

    public AmbiguityWatch {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(minSpacing, "minSpacing");
        if (base.isNegative() || base.isZero() || minSpacing.isNegative()) {
            throw new IllegalArgumentException("ambiguity window " + base + " and read spacing " + minSpacing
                    + " must be positive");
        }
    }

    /** How long a download of {@code bytes} is expected to take at the assumed rate; empty when the size is unknown. */
    static Optional<Duration> expectedDuration(Long bytes) {
        if (bytes == null || bytes < 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis((long) Math.ceil(bytes * 1000.0 / ASSUMED_BYTES_PER_SECOND)));
    }

    /** The window for a file of {@code bytes} (null: unknown). */
    public Duration window(Long bytes) {
        Duration floor = base.compareTo(MAX_WINDOW) > 0 ? MAX_WINDOW : base;
        return expectedDuration(bytes).map(d -> Duration.ofMillis((long) (d.toMillis() * MARGIN)))
                .map(w -> w.compareTo(floor) < 0 ? floor : w.compareTo(MAX_WINDOW) > 0 ? MAX_WINDOW : w)
                .orElse(floor);
    }

    /**
     * When read {@code read} (0-based) of a window for a file of {@code bytes} is due, from the start of the
     * watch; empty when that read would not be made (past the window, or beyond {@link #READS}).
     *
     * @param previous when the previous read was made, from the start (ignored for read 0)
     */
    public Optional<Duration> readAt(int read, Long bytes, Duration previous) {
        if (read == 0) {
            return Optional.of(Duration.ZERO);
        }
        Duration window = window(bytes);
        if (read >= READS) {
            return Optional.empty();
        }
        Duration first = expectedDuration(bytes).filter(d -> d.compareTo(window) < 0)
                .orElse(window.dividedBy(READS - 1));
        Duration planned = first.plus(window.minus(first).multipliedBy(read - 1).dividedBy(READS - 2));
        Duration spaced = previous.plus(minSpacing);
        Duration at = planned.compareTo(spaced) < 0 ? spaced : planned;
        return at.compareTo(window) > 0 ? Optional.empty() : Optional.of(at);
    }
}
