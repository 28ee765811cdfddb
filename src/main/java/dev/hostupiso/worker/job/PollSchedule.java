package dev.hostupiso.worker.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * When to poll a running job next: a pure function of (progress history, now, attempt, server hint,
 * random), validated on construction.
 * <p>
 * Every poll is a call out of the API key's rate budget, so the schedule spends polls where they
 * tell something. From the job's progress over time it estimates when the download ends and polls
 * just after that estimate; while the end is further away than the backoff cap it closes in on it
 * in a few long steps (each waits {@link #APPROACH} of what remains, at most {@link #HORIZON} times the
 * time its samples span, and at most {@code progressMaxDelay}).
 * It distrusts what it cannot extrapolate and then falls back to {@link RetryPolicy}'s backoff:
 * <ul>
 *   <li>no progress reported, or fewer than two samples with progress: nothing to extrapolate from;</li>
 *   <li>a stall (the last poll showed no progress) or an estimate already overdue (a verifying tail at 99 %);</li>
 *   <li>a jump: the rate over the last interval and over the whole history differ more than
 *       {@link #JUMP}×; the newer rate is used, but the wait stays within the backoff cap.</li>
 * </ul>
 * A server's {@code Retry-After} always wins. Every wait is at least the initial delay (the floor).
 */
public record PollSchedule(RetryPolicy backoff, Duration progressMaxDelay, boolean progressAware) {

    /** Share of the estimated remaining time waited while the end is beyond the backoff cap. */
    static final double APPROACH = 0.6;
    /**
     * A long step waits at most this multiple of the time the samples span: an extrapolation reaches
     * no further ahead than what it was drawn from, so a download that speeds up (after a slow start
     * or a stall) is not overslept by much.
     */
    static final double HORIZON = 1.5;
    /** Margin past the estimated end, as a share of the remaining time (on top of half the floor). */
    static final double MARGIN = 0.05;
    /** Rates differing more than this factor between the last interval and the whole history are a jump. */
    static final double JUMP = 4.0;
    /** Samples kept per job: enough for a rate, bounded memory. */
    public static final int KEEP = 6;

    /** One observation: at {@code at} the job was {@code fraction} (0–1) done. */
    public record Sample(Instant at, double fraction) {
        public Sample {
            Objects.requireNonNull(at, "at");
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("fraction must be in [0, 1], got " + fraction);
            }
        }
    }

    public PollSchedule {
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(progressMaxDelay, "progressMaxDelay");
        if (progressMaxDelay.compareTo(backoff.maxDelay()) < 0) {
            throw new IllegalArgumentException("progress max delay " + progressMaxDelay + " is below the backoff cap "
                    + backoff.maxDelay());
        }
    }

    /**
     * The wait before the next poll.
     *
     * @param history    progress samples of this job, oldest first (at most {@link #KEEP} are looked at)
     * @param attempt    polls made so far (0-based attempt of the backoff)
     * @param retryAfter the last answer's {@code Retry-After}, which wins
     * @param random     in [0, 1): jitter, so that jobs started together do not poll together
     */
    public Duration next(List<Sample> history, Instant now, int attempt, Optional<Duration> retryAfter, double random) {
        if (retryAfter.isPresent() || !progressAware) {
            return backoff.delay(attempt, retryAfter, random);
        }
        Optional<Estimate> estimate = estimate(history);
        if (estimate.isEmpty()) {
            return backoff.delay(attempt, Optional.empty(), random);
        }
        double remainingMs = estimate.get().end().toEpochMilli() - now.toEpochMilli();
        if (remainingMs <= 0) {
            return backoff.delay(attempt, Optional.empty(), random); // overdue: the estimate no longer holds
        }
        double floorMs = backoff.initialDelay().toMillis();
        double capMs = backoff.maxDelay().toMillis();
        double jitter = 1 + 0.1 * (random - 0.5); // ±5 %
        double waitMs;
        if (remainingMs <= capMs || estimate.get().jumped()) {
            // Poll just after the expected end; a jumpy estimate never waits longer than backoff would.
            waitMs = Math.min(capMs, (remainingMs * (1 + MARGIN) + floorMs / 2) * jitter);
        } else {
            List<Sample> h = history.subList(Math.max(0, history.size() - KEEP), history.size());
            double spanMs = h.get(h.size() - 1).at().toEpochMilli() - h.get(0).at().toEpochMilli();
            waitMs = Math.min(Math.min(progressMaxDelay.toMillis(), remainingMs * APPROACH * jitter), Math.max(capMs, HORIZON * spanMs));
        }
        return Duration.ofMillis((long) Math.max(floorMs, waitMs));
    }

    /**
     * When the download should end, extrapolated from the newest samples; empty when they show no
     * progress to extrapolate (none, one, a stall, or progress going backwards).
     *
     * @param jumped the rate of the last interval differs more than {@link #JUMP}× from the rate
     *               over the whole history: the estimate is the newer rate's, and not trusted far
     */
    public record Estimate(Instant end, boolean jumped) { }

    public static Optional<Estimate> estimate(List<Sample> history) {
        if (history.size() < 2) {
            return Optional.empty();
        }
        List<Sample> h = history.subList(Math.max(0, history.size() - KEEP), history.size());
        Sample last = h.get(h.size() - 1);
        Sample previous = h.get(h.size() - 2);
        Sample first = h.get(0);
        if (last.fraction() >= 1 || last.fraction() <= previous.fraction() || !last.at().isAfter(previous.at())) {
            return Optional.empty(); // done, stalled or backwards: nothing to extrapolate
        }
        double recent = rate(previous, last);
        double overall = rate(first, last);
        if (!(recent > 0) || !(overall > 0)) {
            return Optional.empty();
        }
        boolean jumped = recent > overall * JUMP || overall > recent * JUMP;
        double remainingMs = (1 - last.fraction()) / recent;
        if (!Double.isFinite(remainingMs) || remainingMs > Duration.ofDays(365).toMillis()) {
            return Optional.empty();
        }
        return Optional.of(new Estimate(last.at().plusMillis((long) Math.ceil(remainingMs)), jumped));
    }

    /** Fraction per millisecond between two samples; 0 when time did not move. */
    private static double rate(Sample from, Sample to) {
        long ms = to.at().toEpochMilli() - from.at().toEpochMilli();
        return ms <= 0 ? 0 : (to.fraction() - from.fraction()) / ms;
    }
}
