package dev.hostupiso.worker.simulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * How the simulator writes {@code X-RateLimit-Reset}. HostUp documents an ISO-8601 timestamp without saying its
 * precision, so a client must cope with both: whole seconds, rounded up (never earlier than the real reset; the
 * default), or milliseconds (the exact reset).
 */
public enum ResetPrecision {
    SECONDS, MILLISECONDS;

    /** The header's instant for a window that really ends at {@code resetMillis}. */
    public Instant header(long resetMillis) {
        Instant exact = Instant.ofEpochMilli(resetMillis);
        return this == MILLISECONDS ? exact : exact.plusMillis(999).truncatedTo(ChronoUnit.SECONDS);
    }

    /** {@code s}, {@code seconds}, {@code ms} or {@code milliseconds}. */
    public static ResetPrecision parse(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "s":
            case "seconds":
                return SECONDS;
            case "ms":
            case "milliseconds":
                return MILLISECONDS;
            default:
                throw new IllegalArgumentException("reset precision must be seconds or milliseconds, got " + name);
        }
    }
}
