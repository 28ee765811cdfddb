package dev.hostupiso.worker.job;

import dev.hostupiso.worker.job.PollSchedule.Sample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PollScheduleTest {

    /** Submission: every time below is seconds after it. */
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final RetryPolicy backoff = new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(10));
    private final PollSchedule aware = new PollSchedule(backoff, Duration.ofMinutes(10), true);
    private final PollSchedule off = new PollSchedule(backoff, Duration.ofMinutes(10), false);

    private static Sample at(double seconds, double fraction) {
        return new Sample(t(seconds), fraction);
    }

    private static Instant t(double seconds) {
        return T0.plusMillis((long) (seconds * 1000));
    }

    private Duration next(List<Sample> history, double now, double random) {
        return aware.next(T0, history, t(now), history.size(), Optional.empty(), random);
    }

    @Test
    void withoutProgressTheWaitGrowsWithTheTimeSinceSubmissionUpToTheBackoffCap() {
        assertThat(next(List.of(), 0, 0)).isEqualTo(Duration.ofSeconds(2)); // the floor
        assertThat(next(List.of(at(2, 0)), 2, 0)).isEqualTo(Duration.ofSeconds(12)); // 6 × 2 s: the next poll at 14 s
        assertThat(next(List.of(at(1, 0), at(8, 0)), 8, 0)).isEqualTo(Duration.ofSeconds(48));
        // Capped just under the backoff cap (0.9 × 60 s), and jittered down, never up.
        assertThat(next(List.of(at(2, 0), at(14, 0)), 14, 0)).isEqualTo(Duration.ofSeconds(54));
        assertThat(next(List.of(at(3000, 0)), 3000, 0.99)).isBetween(Duration.ofSeconds(48), Duration.ofSeconds(54));
    }

    @Test
    void aSingleSampleIsExtrapolatedFromSubmissionButOnlyAsFarAsTheCapOrHalfAgainTheTimeSoFar() {
        // 10 % after 10 s: the pace since submission says the end is near 100 s; one rate is not trusted far.
        assertThat(ProgressEstimate.of(T0, List.of(at(10, 0.1)))).hasValueSatisfying(e -> {
            assertThat(e.end()).isBetween(t(94), t(100));
            assertThat(e.confirmed()).isFalse();
        });
        assertThat(next(List.of(at(2, 0), at(10, 0.1)), 10, 0)).isEqualTo(Duration.ofSeconds(60));
        // After 100 s at 10 %: the end is ~900 s away, the wait at most 1.5 × 100 s.
        assertThat(next(List.of(at(50, 0), at(100, 0.1)), 100, 0)).isEqualTo(Duration.ofSeconds(150));
    }

    @Test
    void twoAgreeingRatesAimJustPastTheEnd() {
        // 1 %/s from submission, seen at 10 s and 70 s: the end is at 100 s; the poll lands just after it.
        List<Sample> steady = List.of(at(10, 0.1), at(70, 0.7));
        assertThat(ProgressEstimate.of(T0, steady)).hasValueSatisfying(e -> assertThat(e.confirmed()).isTrue());
        Duration wait = next(steady, 70, 0.5);
        assertThat(t(70).plus(wait)).isAfter(t(100)).isBefore(t(103));
        // Exactly: the latest end plus a quarter to half a floor (at random 0.5: 0.375 × 2 s).
        ProgressEstimate e = ProgressEstimate.of(T0, steady).orElseThrow();
        assertThat(Duration.between(e.end(), t(70).plus(wait)).toMillis()).isCloseTo((long) e.spreadMs() + 750, within(2L));
    }

    @Test
    void anEstimateTooCoarseForTheLatenessAimedForLandsBeforeTheEndToLookAgain() {
        // Whole percent at 12 % and 24 % of a 1000 s download: the rounding allows an end some 60 s either way, more
        // than half of the 5 % + 5 s aimed for: the next poll lands before the end.
        List<Sample> coarse = List.of(at(120, 0.12), at(240, 0.24));
        ProgressEstimate e = ProgressEstimate.of(T0, coarse).orElseThrow();
        assertThat(e.spreadMs()).isGreaterThan((0.05 * 1000 + 5) / 2 * 1000);
        assertThat(t(240).plus(next(coarse, 240, 0.5))).isBefore(e.end());
        // Exactly, on a ~500 s download (12 % and 24 % at 60 s and 120 s; spread ~34 s, more than the ~30 s aimed
        // for): twice the spread before the end, which is further than 0.7 of the way and nearer than the lateness
        // aimed for after the earliest end.
        List<Sample> shorter = List.of(at(60, 0.12), at(120, 0.24));
        ProgressEstimate s = ProgressEstimate.of(T0, shorter).orElseThrow();
        assertThat(s.spreadMs()).isGreaterThan(0.05 * Duration.between(T0, s.end()).toMillis() + 5000);
        assertThat(Duration.between(t(120).plus(next(shorter, 120, 0.5)), s.end()).toMillis())
                .isCloseTo((long) (2 * s.spreadMs()), within(2L));
    }

    @Test
    void anEstimateWithinTheLatenessAimedForButNotWithinHalfOfItIsCoveredFromItsEarliestEnd() {
        // 10 % at 30 s and 30 % at 90 s in whole percent: the end is ~298 s give or take ~12 s, and ~20 s of lateness is
        // aimed for (5 % + 5 s). Aiming past the latest end could be 24 s late; the poll lands 20 s after the earliest end
        // instead, at most 20 s late whichever end is true (and if it is not done yet, the next sample narrows it).
        List<Sample> covered = List.of(at(30, 0.1), at(90, 0.3));
        ProgressEstimate c = ProgressEstimate.of(T0, covered).orElseThrow();
        double tolerableMs = 0.05 * Duration.between(T0, c.end()).toMillis() + 5000;
        assertThat(c.spreadMs()).isGreaterThan(tolerableMs / 2).isLessThanOrEqualTo(tolerableMs);
        Instant poll = t(90).plus(next(covered, 90, 0.5));
        assertThat(Duration.between(c.end().minusMillis((long) c.spreadMs()), poll).toMillis())
                .isBetween((long) tolerableMs - 2, (long) tolerableMs + 2);
    }

    @Test
    void theLatenessAimedForNeverExceedsWhatABlindPollWouldCost() {
        // 50 % and 80 % of a ~1 h download: 5 % + 5 s would be ~184 s, but a job that reports nothing is seen within
        // 0.9 × the 60 s backoff cap, and one that reports progress is not seen later than that: with a spread of ~41 s
        // the poll lands 54 s after the earliest end instead of past the latest one.
        List<Sample> slow = List.of(at(1800, 0.5), at(2880, 0.8));
        ProgressEstimate e = ProgressEstimate.of(T0, slow).orElseThrow();
        assertThat(e.spreadMs()).isGreaterThan(27_000).isLessThanOrEqualTo(54_000);
        Instant poll = t(3000).plus(next(slow, 3000, 0.5));
        assertThat(Duration.between(e.end().minusMillis((long) e.spreadMs()), poll).toMillis()).isBetween(53_998L, 54_002L);
    }

    @Test
    void theMarginPastTheLatestEndStaysWithinTheLatenessAimedFor() {
        // A fixed 10 s poller's settings with progress on: 9 s of lateness is aimed for (0.9 × the cap); the spread is
        // ~4.45 s, so the poll past the latest end has 0.1 s of margin left, not the quarter to half a floor (2.5–5 s)
        // it would otherwise add.
        RetryPolicy tenSeconds = new RetryPolicy(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(10));
        PollSchedule matched = new PollSchedule(tenSeconds, Duration.ofMinutes(10), true);
        List<Sample> steady = List.of(at(30, 0.1), at(120, 0.4), at(210, 0.7));
        ProgressEstimate e = ProgressEstimate.of(T0, steady).orElseThrow();
        assertThat(e.spreadMs()).isLessThanOrEqualTo(4_500);
        Instant poll = t(210).plus(matched.next(T0, steady, t(210), 3, Optional.empty(), 0.99));
        assertThat(Duration.between(e.end().minusMillis((long) e.spreadMs()), poll).toMillis()).isBetween(8_998L, 9_002L);
        assertThat(poll).isAfter(e.end().plusMillis((long) e.spreadMs()));
    }

    @Test
    void aSteadyDownloadThatReportsBytesIsPolledAFewTimesAndSeenDoneWithinItsLatenessTarget() {
        for (int seconds : new int[] {60, 90, 300, 1200, 3600}) {
            double total = seconds * 1000.0;
            List<Sample> history = new ArrayList<>();
            double now = 2000;
            int polls = 0;
            while (now < total) {
                polls++;
                double fraction = now < total / 10 ? 0 : Math.min(0.999, now / total) * 0.999_999;
                history.add(new Sample(T0.plusMillis((long) now), fraction));
                now += aware.next(T0, List.copyOf(history.subList(Math.max(0, history.size() - PollSchedule.KEEP),
                        history.size())), T0.plusMillis((long) now), polls, Optional.empty(), 0.5).toMillis();
            }
            polls++;
            assertThat(now - total).as("lateness of a %d s download", seconds).isLessThanOrEqualTo(0.05 * total + 5000);
            assertThat(polls).as("polls of a %d s download", seconds).isLessThanOrEqualTo(seconds <= 300 ? 5 : 16);
        }
    }

    @Test
    void aPlateauIsPolledBlindFromWhenItBegan() {
        // 99 % since 60 s (a verifying tail): waits grow with the time spent there, not with the time since submission.
        List<Sample> verifying = List.of(at(30, 0.5), at(60, 0.99), at(70, 0.99));
        assertThat(ProgressEstimate.of(T0, verifying)).isEmpty();
        assertThat(next(verifying, 70, 0)).isEqualTo(Duration.ofSeconds(10));
        List<Sample> stalled = List.of(at(10, 0.2), at(20, 0.4), at(40, 0.4), at(400, 0.4));
        assertThat(next(stalled, 400, 0)).as("capped").isEqualTo(Duration.ofSeconds(54));
        // A plateau since the first sample: it began there.
        assertThat(next(List.of(at(20, 0.4), at(30, 0.4)), 35, 0)).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void anOverdueEstimateIsPolledBlindFromTheNewestProgress() {
        // The estimate said done at 100 s; it is 130 s now and the last progress was at 90 s.
        Duration wait = next(List.of(at(80, 0.8), at(90, 0.9)), 130, 0);
        assertThat(wait).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void aSpeedUpIsNotConfirmedAndNotExtrapolatedFar() {
        // 1 % per 100 s, then 50 % in 10 s: the newer rate is used, not trusted far.
        List<Sample> speedUp = List.of(at(100, 0.01), at(110, 0.51));
        assertThat(ProgressEstimate.of(T0, speedUp)).hasValueSatisfying(e -> assertThat(e.confirmed()).isFalse());
        assertThat(next(speedUp, 110, 0.5)).isLessThanOrEqualTo(Duration.ofSeconds(165));
    }

    @Test
    void retryAfterAlwaysWins() {
        List<Sample> steady = List.of(at(10, 0.01), at(20, 0.02));
        assertThat(aware.next(T0, steady, t(20), 2, Optional.of(Duration.ofSeconds(7)), 0.5)).isEqualTo(Duration.ofSeconds(7));
        assertThat(aware.next(T0, steady, t(20), 2, Optional.of(Duration.ofHours(2)), 0.5)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void offItIsTodaysBackoffWhateverTheProgress() {
        List<Sample> steady = List.of(at(10, 0.01), at(20, 0.02));
        assertThat(off.next(T0, steady, t(20), 3, Optional.empty(), 0.4)).isEqualTo(backoff.backoff(3, 0.4));
    }

    @Test
    void nothingToExtrapolate() {
        assertThat(ProgressEstimate.of(T0, List.of())).isEmpty();
        assertThat(ProgressEstimate.of(T0, List.of(at(10, 0)))).as("queued").isEmpty();
        assertThat(ProgressEstimate.of(T0, List.of(at(0, 0.5), at(10, 0.4)))).as("backwards").isEmpty();
        assertThat(ProgressEstimate.of(T0, List.of(at(0, 0.5), at(10, 1.0)))).as("done").isEmpty();
    }

    @Test
    void aProgressCapEqualToTheBackoffCapIsAccepted() {
        assertThat(new PollSchedule(backoff, backoff.maxDelay(), true).progressMaxDelay()).isEqualTo(backoff.maxDelay());
    }

    @Test
    void rejectsBadValues() {
        assertThatThrownBy(() -> new PollSchedule(backoff, Duration.ofSeconds(30), true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sample(T0, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sample(T0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> aware.next(T0, List.of(), T0, 0, Optional.empty(), 1.0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
