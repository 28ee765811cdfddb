package dev.hostupiso.worker.job;

import dev.hostupiso.worker.job.PollSchedule.Sample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PollScheduleTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final RetryPolicy backoff = new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(10));
    private final PollSchedule aware = new PollSchedule(backoff, Duration.ofMinutes(10), true);
    private final PollSchedule blind = new PollSchedule(backoff, Duration.ofMinutes(10), false);

    private static Sample at(long seconds, double fraction) {
        return new Sample(T0.plusSeconds(seconds), fraction);
    }

    private static Instant t(long seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void withoutProgressItBacksOffExactlyLikeTheRetryPolicy() {
        for (int attempt = 0; attempt < 8; attempt++) {
            assertThat(aware.next(List.of(), t(10), attempt, Optional.empty(), 0.37))
                    .isEqualTo(backoff.backoff(attempt, 0.37));
            assertThat(aware.next(List.of(at(2, 0.3)), t(10), attempt, Optional.empty(), 0.37))
                    .as("one sample gives no rate").isEqualTo(backoff.backoff(attempt, 0.37));
        }
    }

    @Test
    void aSteadyDownloadWhoseEndIsNearIsPolledJustAfterTheEstimatedEnd() {
        // 10 %/10 s: at 40 s it is 40 % done, the end is at 100 s, 60 s from now: inside the cap.
        Duration wait = aware.next(List.of(at(30, 0.3), at(40, 0.4)), t(40), 3, Optional.empty(), 0.5);
        assertThat(wait).isBetween(Duration.ofSeconds(60), Duration.ofSeconds(60));
        Duration near = aware.next(List.of(at(80, 0.8), at(90, 0.9)), t(90), 3, Optional.empty(), 0.5);
        assertThat(near).as("end at 100 s: poll just after it").isBetween(Duration.ofSeconds(10), Duration.ofSeconds(13));
    }

    @Test
    void aFarEndIsApproachedInLongStepsThatNeverOvershootIt() {
        // 10 %/100 s: the end is 800 s away; a long step, bounded by the progress cap and the horizon, never past the end.
        Duration wait = aware.next(List.of(at(100, 0.1), at(200, 0.2)), t(200), 2, Optional.empty(), 0.5);
        assertThat(wait).isGreaterThan(backoff.maxDelay()).isLessThanOrEqualTo(Duration.ofMinutes(10));
        assertThat(wait).isLessThan(Duration.ofSeconds(800));
        assertThat(wait).as("at most 1.5 × the 100 s the samples span").isLessThanOrEqualTo(Duration.ofSeconds(150));
    }

    @Test
    void aShortHistoryIsNotExtrapolatedFarAhead() {
        // 1 %/10 s seen over 10 s only: the end is ~16 min away, but no step reaches further than the cap then.
        Duration wait = aware.next(List.of(at(10, 0.01), at(20, 0.02)), t(20), 2, Optional.empty(), 0.5);
        assertThat(wait).isLessThanOrEqualTo(backoff.maxDelay()).isGreaterThan(Duration.ofSeconds(50));
    }

    @Test
    void aStallFallsBackToBackoff() {
        List<Sample> stalled = List.of(at(10, 0.2), at(20, 0.4), at(40, 0.4));
        assertThat(aware.next(stalled, t(40), 4, Optional.empty(), 0.2)).isEqualTo(backoff.backoff(4, 0.2));
        List<Sample> verifying = List.of(at(10, 0.5), at(20, 0.99), at(60, 0.99));
        assertThat(aware.next(verifying, t(60), 5, Optional.empty(), 0.2)).isEqualTo(backoff.backoff(5, 0.2));
    }

    @Test
    void anOverdueEstimateFallsBackToBackoff() {
        // The estimate said 100 % at 100 s; it is 130 s now and the last poll was at 90 s.
        assertThat(aware.next(List.of(at(80, 0.8), at(90, 0.9)), t(130), 6, Optional.empty(), 0.9))
                .isEqualTo(backoff.backoff(6, 0.9));
    }

    @Test
    void aJumpIsDistrustedAndNeverWaitsLongerThanBackoffWould() {
        // 1 % per 100 s, then 50 % in 10 s: the newer rate says the end is near, but not far ahead is trusted.
        List<Sample> jump = List.of(at(0, 0.0), at(100, 0.01), at(110, 0.51));
        assertThat(PollSchedule.estimate(jump)).hasValueSatisfying(e -> assertThat(e.jumped()).isTrue());
        assertThat(aware.next(jump, t(110), 3, Optional.empty(), 0.5)).isLessThanOrEqualTo(backoff.maxDelay());
        // A slowdown by more than the factor is a jump too: the wait stays within the cap.
        List<Sample> slowdown = List.of(at(0, 0.0), at(10, 0.5), at(110, 0.51));
        assertThat(PollSchedule.estimate(slowdown)).hasValueSatisfying(e -> assertThat(e.jumped()).isTrue());
        assertThat(aware.next(slowdown, t(110), 3, Optional.empty(), 0.5)).isLessThanOrEqualTo(backoff.maxDelay());
    }

    @Test
    void retryAfterAlwaysWins() {
        List<Sample> steady = List.of(at(10, 0.01), at(20, 0.02));
        assertThat(aware.next(steady, t(20), 2, Optional.of(Duration.ofSeconds(7)), 0.5)).isEqualTo(Duration.ofSeconds(7));
        assertThat(aware.next(steady, t(20), 2, Optional.of(Duration.ofHours(2)), 0.5)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void offItIsTodaysBackoffWhateverTheProgress() {
        List<Sample> steady = List.of(at(10, 0.01), at(20, 0.02));
        assertThat(blind.next(steady, t(20), 3, Optional.empty(), 0.4)).isEqualTo(backoff.backoff(3, 0.4));
    }

    @Test
    void estimateUsesTheNewestRate() {
        Optional<PollSchedule.Estimate> e = PollSchedule.estimate(List.of(at(0, 0.0), at(10, 0.1), at(20, 0.2)));
        assertThat(e).hasValueSatisfying(x -> {
            assertThat(x.end()).isEqualTo(t(100));
            assertThat(x.jumped()).isFalse();
        });
        assertThat(PollSchedule.estimate(List.of(at(0, 0.5), at(10, 0.4)))).as("backwards").isEmpty();
        assertThat(PollSchedule.estimate(List.of(at(10, 0.5), at(10, 0.6)))).as("same instant").isEmpty();
        assertThat(PollSchedule.estimate(List.of(at(0, 0.5), at(10, 1.0)))).as("done").isEmpty();
    }

    @Test
    void rejectsAProgressCapBelowTheBackoffCap() {
        assertThatThrownBy(() -> new PollSchedule(backoff, Duration.ofSeconds(30), true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sample(T0, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sample(T0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
