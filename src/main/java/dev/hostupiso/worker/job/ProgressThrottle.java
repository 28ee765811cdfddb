package dev.hostupiso.worker.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which progress observations of one job are worth an event: the first one, then one whenever
 * progress crosses a 10 % step, otherwise at most one per {@code minInterval}, and only when
 * progress moved. A pure function of (last sent, now, percentage), validated on construction.
 */
public record ProgressThrottle(Duration minInterval) {

    /** What was last sent for a job. */
    public record Sent(Instant at, double percentage) { }

    public ProgressThrottle {
        Objects.requireNonNull(minInterval, "minInterval");
        if (minInterval.isNegative()) {
            throw new IllegalArgumentException("min interval cannot be negative, got " + minInterval);
        }
    }

    public boolean due(Optional<Sent> last, Instant now, double percentage) {
        if (last.isEmpty()) {
            return true;
        }
        double before = last.get().percentage();
        if (percentage <= before) {
            return false; // nothing new (a stall), or a report going backwards
        }
        if (step(percentage) > step(before)) {
            return true;
        }
        return !now.isBefore(last.get().at().plus(minInterval));
    }

    /** The 10 % step a percentage is in: 0 for [0, 10), …, 10 for 100. */
    static int step(double percentage) {
        return (int) Math.floor(percentage / 10);
    }
}
