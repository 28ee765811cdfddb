package dev.hostupiso.worker.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * When to poll a running job next: a pure function of (submission instant, progress samples, now, attempt, server
 * hint, random), validated on construction.
 * <p>
 * Every poll is a call out of the API key's rate budget, so the schedule spends polls where they tell something:
 * <ul>
 *   <li><b>Aimed.</b> With a {@link ProgressEstimate} of the end, the next poll lands just after the latest end the
 *   reported progress allows, when that is within the lateness it aims for ({@link #TOLERANCE} of the download's
 *   time plus {@link #SLACK_FLOORS} initial delays, at most {@link #BLIND_CAP} of the backoff cap); with a wider spread
 *   it lands that lateness after the earliest end, or before the end, to see it from closer (the margin shrinks as the
 *   evidence grows). An estimate two independent rates do not confirm is extrapolated at most
 *   {@link #HORIZON} times the time since submission (or the backoff cap, when that is longer): a slow start that
 *   speeds up is not overslept by much.</li>
 *   <li><b>Blind.</b> Without usable progress (queued, a download that reports nothing until it is done, a stall, a
 *   verifying tail at 99 %) the wait grows with the time without news ({@link #GROWTH} times it), between the initial
 *   delay and {@link #BLIND_CAP} of the backoff cap, jittered downwards only: fewer calls than backing off, and no
 *   later a look at a job that reports nothing.</li>
 *   <li><b>Primed.</b> With a prior on the download's duration ({@link DurationPrior}, from its size and the
 *   throughput of earlier downloads), the first look is at the quickest time it allows instead of the floor, and an
 *   estimate within {@link #PRIOR_AGREE} of its typical time counts as confirmed.</li>
 * </ul>
 * A server's {@code Retry-After} always wins. Every wait is at least the initial delay (the floor) and at most
 * {@code progressMaxDelay}.
 */
public record PollSchedule(RetryPolicy backoff, Duration progressMaxDelay, boolean progressAware) {

    /**
     * Blind before any progress: the wait is this multiple of the time since submission (6: poll times ×7, so polls at
     * 2 s, 14 s, then every 0.9 × the cap at the defaults; fewer polls before a download's progress shows).
     */
    static final double GROWTH = 6.0;
    /** Blind on a plateau (a stall, a verifying tail): the wait is this multiple of the time it has lasted. */
    static final double PLATEAU_GROWTH = 1.0;
    /**
     * Lateness aimed for, as a share of the download's estimated time; never more than {@link #BLIND_CAP} of the backoff
     * cap, the lateness a job that reports nothing gets (so progress never makes a job seen later than blind polling).
     */
    static final double TOLERANCE = 0.05;
    /** Lateness aimed for on top of {@link #TOLERANCE}, in initial delays (2 s: 5 s). */
    static final double SLACK_FLOORS = 2.5;
    /** An unconfirmed estimate is extrapolated at most this multiple of the time since submission. */
    static final double HORIZON = 1.5;
    /** A confirmed estimate (two independent rates agree) is extrapolated at most this multiple of it. */
    static final double CONFIRMED_HORIZON = 3;
    /**
     * An estimate whose total time is within this factor of the prior's typical time ({@link DurationPrior}) counts as
     * confirmed: the size and the learned throughput are a second, independent rate.
     */
    static final double PRIOR_AGREE = 2;
    /** When the end is not yet known well enough, the next poll lands at least this share of the way to it. */
    static final double APPROACH = 0.7;
    /**
     * Blind waits end at this share of the backoff cap: backing off waits a random time up to the cap, so a job that
     * reports nothing is seen done later than with backoff unless the blind wait stays somewhat below the cap.
     */
    static final double BLIND_CAP = 0.9;
    /** Blind waits are jittered down by up to this share, so that jobs started together spread out. */
    static final double JITTER = 0.1;
    /** Samples kept per job: enough for two rates, bounded memory. */
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
     * @param since      when the job was submitted
     * @param history    progress samples of this job, oldest first (at most {@link #KEEP} are looked at)
     * @param attempt    polls made so far (0-based attempt of the backoff, used when not progress-aware)
     * @param retryAfter the last answer's {@code Retry-After}, which wins
     * @param random     in [0, 1): jitter, so that jobs started together do not poll together
     */
    public Duration next(Instant since, List<Sample> history, Instant now, int attempt, Optional<Duration> retryAfter,
                         double random) {
        return next(since, history, now, attempt, retryAfter, random, Optional.empty());
    }

    /**
     * The wait before the next poll, given a prior on the download's duration.
     *
     * @param prior what earlier downloads say about this one's duration (from its size and a throughput learned from
     *              them, {@link ThroughputPrior}): before any progress shows, the next poll is aimed at the quickest
     *              time instead of growing from the floor, so that the polls that would find it queued are skipped;
     *              an estimate within {@link #PRIOR_AGREE} of its typical time counts as confirmed
     * @see #next(Instant, List, Instant, int, Optional, double)
     */
    public Duration next(Instant since, List<Sample> history, Instant now, int attempt, Optional<Duration> retryAfter,
                         double random, Optional<DurationPrior> prior) {
        if (random < 0 || random >= 1) {
            throw new IllegalArgumentException("random must be in [0, 1), got " + random);
        }
        if (retryAfter.isPresent() || !progressAware) {
            return backoff.delay(attempt, retryAfter, random);
        }
        Optional<ProgressEstimate> estimate = ProgressEstimate.of(since, history);
        double waitMs = estimate.isPresent() && estimate.get().end().isAfter(now)
                ? aimed(estimate.get(), since, now, random, prior)
                : primed(since, history, now, prior).orElseGet(() -> blind(since, history, now, random));
        double floorMs = backoff.initialDelay().toMillis();
        return Duration.ofMillis((long) Math.min(progressMaxDelay.toMillis(), Math.max(floorMs, waitMs)));
    }

    /**
     * The wait towards an estimated end, for a lateness aimed for of L. With a spread s of at most L/2: just past the latest
     * end (end + s), by a margin that keeps 2s + margin within L. With s up to L: L after the earliest end (end − s + L),
     * at most L late whichever end is true. Wider: part of the way (at least {@link #APPROACH} of it), but never more
     * than L after the earliest end, so a spread that does not shrink near the end (the newest percent's rounding) is
     * covered in steps of L instead of being approached by ever smaller ones.
     */
    private double aimed(ProgressEstimate e, Instant since, Instant now, double random, Optional<DurationPrior> prior) {
        double floorMs = backoff.initialDelay().toMillis();
        double remainingMs = ms(now, e.end());
        double tolerableMs = Math.min(TOLERANCE * ms(since, e.end()) + SLACK_FLOORS * floorMs,
                BLIND_CAP * backoff.maxDelay().toMillis());
        double waitMs;
        if (e.spreadMs() <= tolerableMs / 2) {
            waitMs = remainingMs + e.spreadMs()
                    + Math.min(floorMs * (0.25 + 0.25 * random), tolerableMs - 2 * e.spreadMs());
        } else if (e.spreadMs() <= tolerableMs) {
            waitMs = remainingMs - e.spreadMs() + tolerableMs;
        } else {
            waitMs = Math.min(Math.max(remainingMs - 2 * e.spreadMs(), APPROACH * remainingMs),
                    remainingMs - e.spreadMs() + tolerableMs);
        }
        boolean confirmed = e.confirmed() || prior.map(p -> p.agrees(ms(since, e.end()), PRIOR_AGREE)).orElse(false);
        double horizon = confirmed ? CONFIRMED_HORIZON : HORIZON;
        return Math.min(waitMs, Math.max(backoff.maxDelay().toMillis(), horizon * ms(since, now)));
    }

    /**
     * Before any progress, the wait to the quickest time the prior allows (rounded down to whole initial delays since
     * submission), when that is still ahead: a look there replaces the polls that would find the download queued. Not
     * capped at a blind wait: the prior's quickest time is one few downloads beat, so the downloads it makes late are
     * too few to move a p99, and a cap would cost long downloads their queued polls again. Once it has passed, blind
     * polling takes over: a prior that is too early costs that one look; one that is too late (a download quicker than
     * any before) sees the end late by the difference.
     */
    private Optional<Double> primed(Instant since, List<Sample> history, Instant now, Optional<DurationPrior> prior) {
        boolean noProgress = history.stream().allMatch(s -> s.fraction() <= 0);
        if (prior.isEmpty() || !noProgress) {
            return Optional.empty();
        }
        // On the floor's grid (polls at whole multiples of it since submission): with a fixed poller's settings, a
        // download that reports nothing is polled at the very instants the fixed poller polls it.
        double floorMs = backoff.initialDelay().toMillis();
        double aheadMs = Math.floor(prior.get().quickest().toMillis() / floorMs) * floorMs - ms(since, now);
        return aheadMs > 0 ? Optional.of(aheadMs) : Optional.empty();
    }

    /**
     * The wait without an estimate: {@link #GROWTH} times the time since the last news (submission, or the start of the
     * plateau the newest samples show), within the floor and the backoff cap.
     */
    private double blind(Instant since, List<Sample> history, Instant now, double random) {
        Instant news = since;
        double growth = GROWTH;
        if (!history.isEmpty() && history.get(history.size() - 1).fraction() > 0) {
            growth = PLATEAU_GROWTH;
            int i = history.size() - 1;
            while (i > 0 && history.get(i - 1).fraction() == history.get(i).fraction()) {
                i--;
            }
            news = history.get(i).at().isAfter(since) ? history.get(i).at() : since;
        }
        double waitMs = Math.max(backoff.initialDelay().toMillis(), growth * ms(news, now));
        return Math.min(waitMs, BLIND_CAP * backoff.maxDelay().toMillis()) * (1 - JITTER * random);
    }

    private static double ms(Instant from, Instant to) {
        return Math.max(0, to.toEpochMilli() - from.toEpochMilli());
    }
}
