package dev.hostupiso.worker.simulator;

import java.util.Locale;
import java.util.Optional;

/**
 * How a download's reported progress moves over its duration, so that a client's progress-based
 * polling meets what real downloads do. Chosen per VPS ({@link VpsScript#downloadShape}) or per job by
 * a filename containing {@code shape-<name>} (e.g. {@code ubuntu.shape-slow-start.iso}); the name is
 * {@link #label()}. Progress is a function of the share of the job's time elapsed (after the queued
 * first tenth, which shows 0 % for every shape).
 */
public enum DownloadShape {
    /** Steady: progress follows time. The default, and the simulator's behaviour before shapes existed. */
    LINEAR("linear"),
    /** A slow first 40 % of the time (to 10 %), then fast. */
    SLOW_START("slow-start"),
    /** Plateaus: stuck at 30 % for a fifth of the time and at 60 % for a seventh. */
    STALLS("stalls"),
    /** Reports 0 % until it is done: nothing to extrapolate from. */
    JUMP("jump"),
    /** Reaches 99 % at 60 % of the time, then "verifying" at 99 % until done. */
    VERIFYING_TAIL("verifying-tail"),
    /** Steady up to 80 %, then fails. */
    FAIL_AT_80("fail-at-80");

    private final String label;

    DownloadShape(String label) {
        this.label = label;
    }

    /** The name used in filenames and the control API. */
    public String label() {
        return label;
    }

    /** The shape named {@code label} (case-insensitive). */
    public static DownloadShape of(String label) {
        for (DownloadShape s : values()) {
            if (s.label.equalsIgnoreCase(label.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown download shape " + label);
    }

    /** The shape a filename asks for with {@code shape-<label>}, if any. */
    public static Optional<DownloadShape> inFilename(String filename) {
        String f = filename.toLowerCase(Locale.ROOT);
        // Longest labels first, so that a label that is a prefix of another does not win.
        DownloadShape found = null;
        for (DownloadShape s : values()) {
            if (f.contains("shape-" + s.label) && (found == null || s.label.length() > found.label.length())) {
                found = s;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Whether downloads of this shape end failed. */
    public boolean fails() {
        return this == FAIL_AT_80;
    }

    /** Share done (0–1) once {@code t} (0–1) of the job's time has passed. */
    public double progress(double t) {
        double x = Math.max(0, Math.min(1, t));
        switch (this) {
            case SLOW_START:
                return x < 0.4 ? 0.25 * x : 0.1 + (x - 0.4) * 1.5;
            case STALLS:
                return piecewise(x, new double[][] {{0, 0}, {0.2, 0.3}, {0.4, 0.3}, {0.6, 0.6}, {0.75, 0.6}, {1, 1}});
            case JUMP:
                return x < 1 ? 0 : 1;
            case VERIFYING_TAIL:
                return x < 0.6 ? 0.99 * x / 0.6 : 0.99;
            case FAIL_AT_80:
                return 0.8 * x;
            default:
                return x;
        }
    }

    private static double piecewise(double x, double[][] points) {
        for (int i = 1; i < points.length; i++) {
            if (x <= points[i][0]) {
                double[] a = points[i - 1];
                double[] b = points[i];
                return a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]);
            }
        }
        return points[points.length - 1][1];
    }
}
