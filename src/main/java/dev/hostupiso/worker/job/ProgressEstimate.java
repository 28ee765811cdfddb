package dev.hostupiso.worker.job;

import dev.hostupiso.worker.job.PollSchedule.Sample;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When a download should end, from the progress its polls saw: a pure function of the submission instant and the
 * samples.
 * <p>
 * The rate is the one between the newest sample and the newest earlier one that showed less; with a single sample
 * showing progress it is the rate since submission (a download counted from when it was asked for). Progress reported
 * in whole percent is read as the middle of its percent, and the spread that rounding allows is the estimate's
 * {@link #spreadMs() spread}. An estimate is <em>confirmed</em> when two rates that share no interval agree (the newest
 * interval's and the one before it, or the one since submission): a download that has kept one pace is extrapolated far;
 * one that has not (a slow start, a stall that ended) only a little ahead of what was seen.
 *
 * @param end       when the download should end
 * @param spreadMs  how far, in milliseconds, the end may be off either way from the rounding of what was reported
 * @param confirmed whether two independent rates agree
 */
public record ProgressEstimate(Instant end, double spreadMs, boolean confirmed) {

    /** Two rates within this factor of each other agree. */
    static final double AGREE = 1.2;
    /** Resolution assumed for a fraction that is a whole percentage; finer fractions (bytes) are taken as exact. */
    static final double PERCENT = 0.01;
    private static final double EXACT = 1e-6;

    /**
     * The estimate, or empty when nothing can be extrapolated: no sample showing progress, the newest sample done, or
     * the newest sample showing no more than the one before it (a stall or a plateau, such as a verifying tail).
     *
     * @param since   when the job was submitted
     * @param history samples, oldest first (the newest {@link PollSchedule#KEEP} are looked at)
     */
    public static Optional<ProgressEstimate> of(Instant since, List<Sample> history) {
        List<Sample> h = history.subList(Math.max(0, history.size() - PollSchedule.KEEP), history.size());
        if (h.isEmpty()) {
            return Optional.empty();
        }
        Sample last = h.get(h.size() - 1);
        if (last.fraction() >= 1 || last.fraction() <= 0 || !last.at().isAfter(since)) {
            return Optional.empty();
        }
        if (h.size() >= 2 && h.get(h.size() - 2).fraction() >= last.fraction()) {
            return Optional.empty(); // stalled, or going backwards
        }
        double resolution = h.stream().allMatch(s -> whole(s.fraction())) ? PERCENT : EXACT;
        int p = previousBelow(h, h.size() - 1);
        double f = last.fraction() + resolution / 2;
        if (p < 0 || h.get(p).fraction() <= 0) {
            return fromSubmission(since, last, f, resolution);
        }
        Sample prev = h.get(p);
        double df = last.fraction() - prev.fraction();
        double rate = df / ms(prev.at(), last.at());
        double remainingMs = Math.max(0, 1 - f) / rate;
        if (!(rate > 0) || !Double.isFinite(remainingMs) || remainingMs > Duration.ofDays(365).toMillis()) {
            return Optional.empty();
        }
        int q = previousBelow(h, p);
        q = q >= 0 && h.get(q).fraction() > 0 ? q : -1; // a sample showing nothing yet (queued) is no rate: use submission
        double olderDf = q >= 0 ? prev.fraction() - h.get(q).fraction() : prev.fraction() + resolution / 2;
        double older = olderDf / (q >= 0 ? ms(h.get(q).at(), prev.at()) : ms(since, prev.at()));
        double spread = remainingMs * resolution / df + resolution / 2 / rate;
        // Rounding alone moves a rate by up to resolution / its progress: that much disagreement is no evidence.
        double tolerance = AGREE + resolution / df + resolution / olderDf;
        return Optional.of(new ProgressEstimate(last.at().plusMillis((long) Math.ceil(remainingMs)), spread,
                agree(rate, older, tolerance)));
    }

    /** One sample with progress: the pace since submission; confirmed never (one rate only). */
    private static Optional<ProgressEstimate> fromSubmission(Instant since, Sample last, double f, double resolution) {
        double elapsedMs = ms(since, last.at());
        double totalMs = elapsedMs / Math.min(1, f);
        double remainingMs = totalMs - elapsedMs;
        if (!Double.isFinite(totalMs) || totalMs > Duration.ofDays(365).toMillis()) {
            return Optional.empty();
        }
        double spread = totalMs * (resolution / 2) / f;
        return Optional.of(new ProgressEstimate(last.at().plusMillis((long) Math.ceil(remainingMs)), spread, false));
    }

    /** Index of the newest sample before {@code i} that showed less than sample {@code i}, or -1. */
    private static int previousBelow(List<Sample> h, int i) {
        for (int j = i - 1; j >= 0; j--) {
            if (h.get(j).fraction() < h.get(i).fraction() && h.get(j).at().isBefore(h.get(i).at())) {
                return j;
            }
        }
        return -1;
    }

    private static boolean agree(double a, double b, double factor) {
        return a > 0 && b > 0 && a <= b * factor && b <= a * factor;
    }

    private static boolean whole(double fraction) {
        double percent = fraction * 100;
        return Math.abs(percent - Math.rint(percent)) < 1e-9;
    }

    private static double ms(Instant from, Instant to) {
        return Math.max(1, to.toEpochMilli() - from.toEpochMilli());
    }
}
