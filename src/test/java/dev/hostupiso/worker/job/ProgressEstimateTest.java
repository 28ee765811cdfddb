package dev.hostupiso.worker.job;

import dev.hostupiso.worker.job.PollSchedule.Sample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The estimate's arithmetic, worked out by hand for a few histories. */
class ProgressEstimateTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    private static Sample at(double seconds, double fraction) {
        return new Sample(T0.plusMillis((long) (seconds * 1000)), fraction);
    }

    private static ProgressEstimate of(Sample... history) {
        return ProgressEstimate.of(T0, List.of(history)).orElseThrow();
    }

    private static long endMs(ProgressEstimate e) {
        return Duration.between(T0, e.end()).toMillis();
    }

    @Test
    void oneSampleInWholePercentIsReadAsTheMiddleOfItsPercentAndExtrapolatedFromSubmission() {
        // 20 % at 100 s is 20.5 % give or take 0.5 %: 100 / 0.205 = 487.805 s in all; the half percent either way
        // moves that by 487.805 × 0.005 / 0.205 = 11.898 s.
        ProgressEstimate e = of(at(100, 0.20));
        assertThat(endMs(e)).isEqualTo(487_805);
        assertThat(e.spreadMs()).isCloseTo(11_897.7, within(1.0));
        assertThat(e.confirmed()).isFalse();
    }

    @Test
    void progressInBytesIsTakenAsExact() {
        // 25.37 % is no whole percent: no rounding to allow for, so the spread is next to nothing.
        ProgressEstimate e = of(at(100, 0.2537));
        assertThat(endMs(e)).isCloseTo(394_166, within(2L));
        assertThat(e.spreadMs()).isLessThan(10);
    }

    @Test
    void twoSamplesUseTheRateBetweenThemConfirmedByTheRateSinceSubmission() {
        // 10 % at 50 s, 30 % at 150 s: 0.2 per 100 s; from 30.5 %, 0.695 / 0.002 per s = 347.5 s to go. Spread: the
        // rounding of the 20 points between them (347.5 × 0.01 / 0.2 = 17.375 s) plus half a percent at that rate
        // (2.5 s). Since submission: 10.5 % in 50 s, 0.0021 per s, within 1.2 + 0.01 / 0.2 + 0.01 / 0.105 of it.
        ProgressEstimate e = of(at(50, 0.10), at(150, 0.30));
        assertThat(endMs(e)).isCloseTo(497_500, within(1L));
        assertThat(e.spreadMs()).isCloseTo(19_875, within(1.0));
        assertThat(e.confirmed()).isTrue();
    }

    @Test
    void threeSamplesConfirmWithTheIntervalBeforeTheNewest() {
        // 0.1 per 50 s twice: the same rate, confirmed; 20 points of rounding over 10 (347.5 × 0.01 / 0.1 = 34.75 s).
        ProgressEstimate e = of(at(50, 0.10), at(100, 0.20), at(150, 0.30));
        assertThat(endMs(e)).isCloseTo(497_500, within(1L));
        assertThat(e.spreadMs()).isCloseTo(37_250, within(1.0));
        assertThat(e.confirmed()).isTrue();
    }

    @Test
    void ratesAgreeWithinWhatTheRoundingAllowsAndNoFurther() {
        // Since submission 10.5 % in 43 s (0.002442 per s), then 20 points in 107 s (0.001869 per s): 1.306 apart,
        // within 1.2 + 0.01 / 0.2 + 0.01 / 0.105 = 1.345. At 40 s instead: 0.002625 against 0.001818, 1.444 apart.
        assertThat(of(at(43, 0.10), at(150, 0.30)).confirmed()).isTrue();
        assertThat(of(at(40, 0.10), at(150, 0.30)).confirmed()).isFalse();
    }

    @Test
    void aQueuedSampleIsNoRateTheSubmissionIsUsed() {
        // 0 % at 45 s (queued), 10 % at 50 s, 30 % at 150 s: the older rate is since submission (10.5 % in 50 s, which
        // agrees), not 10 points in the 5 s since the queued sample (ten times faster, which would not).
        assertThat(of(at(45, 0), at(50, 0.10), at(150, 0.30)).confirmed()).isTrue();
    }

    @Test
    void aSpeedUpIsNotConfirmed() {
        // 0.2 in 10 s against 0.105 in 100 s since submission: 19× faster, far outside the agreement allowed.
        ProgressEstimate e = of(at(100, 0.10), at(110, 0.30));
        assertThat(e.confirmed()).isFalse();
        assertThat(endMs(e)).isCloseTo(144_750, within(1L)); // 110 s + 0.695 / 0.02 per s
    }

    @Test
    void anOlderHigherSampleIsNoRateAndTheSubmissionIsUsedInstead() {
        // 50 % then 20 % (the job went back), then 30 %: the rate is 20 % → 30 %; nothing older showed less than 20 %,
        // so the older rate is since submission (20.5 % in 100 s).
        ProgressEstimate e = of(at(50, 0.50), at(100, 0.20), at(150, 0.30));
        assertThat(endMs(e)).isCloseTo(497_500, within(1L));
        // 0.002 per s against 0.00205 per s, within 1.2 + 0.01 / 0.1 + 0.01 / 0.205 of each other: confirmed.
        assertThat(e.confirmed()).isTrue();
        assertThat(e.spreadMs()).isCloseTo(37_250, within(1.0));
    }

    @Test
    void nothingToExtrapolateFromAPlateauOrASampleAtSubmission() {
        assertThat(ProgressEstimate.of(T0, List.of(at(10, 0.4), at(20, 0.4)))).as("plateau").isEmpty();
        assertThat(ProgressEstimate.of(T0, List.of(at(0, 0.4)))).as("at submission").isEmpty();
        assertThat(ProgressEstimate.of(T0, List.of(at(10, 0.99), at(20, 1.0)))).as("done").isEmpty();
        // Two samples at the same instant: no interval between them, so the rate is since submission.
        ProgressEstimate same = of(at(100, 0.20), at(100, 0.25));
        assertThat(endMs(same)).isEqualTo(100_000 + (long) Math.ceil(100_000 / 0.255 - 100_000));
    }
}
