package dev.hostupiso.worker.job;

import dev.hostupiso.worker.job.PollSchedule.Sample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The poll schedule's documented arithmetic on hand-computed cases (backoff 2 s to 60 s, progress cap
 * 10 min, no jitter at random 0.5): which of floor, margin, approach, horizon and caps decides a wait.
 */
class PollScheduleEdgesTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private final RetryPolicy backoff = new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(10));
    private final PollSchedule schedule = new PollSchedule(backoff, Duration.ofMinutes(10), true);

    private static Sample at(long seconds, double fraction) {
        return new Sample(T0.plusSeconds(seconds), fraction);
    }

    private Duration next(List<Sample> history, long nowSeconds, double random) {
        return schedule.next(history, T0.plusSeconds(nowSeconds), 3, Optional.empty(), random);
    }

    @Test
    void nearTheEndItPollsJustAfterItWithAMarginAndJitter() {
        List<Sample> h = List.of(at(0, 0), at(10, 0.5)); // ends at 20 s: 10 s from now
        assertThat(PollSchedule.estimate(h)).contains(new PollSchedule.Estimate(T0.plusSeconds(20), false));
        assertThat(next(h, 10, 0.5)).isEqualTo(Duration.ofMillis(11_500)); // 10 s × 1.05 + half the floor
        assertThat(next(h, 10, 0.0)).isBetween(Duration.ofMillis(10_924), Duration.ofMillis(10_925)); // −5 %, to the ms
        assertThat(next(h, 15, 0.5)).isEqualTo(Duration.ofMillis(6_250));
    }

    @Test
    void noWaitIsShorterThanTheFloor() {
        List<Sample> h = List.of(at(0, 0), at(10, 0.999)); // 10 ms left
        assertThat(next(h, 10, 0.5)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void farFromTheEndTheLongestStepIsOneAndAHalfTimesTheSamplesSpan() {
        List<Sample> h = List.of(at(0, 0), at(100, 0.01)); // 9,900 s left, samples span 100 s
        assertThat(next(h, 100, 0.5)).isEqualTo(Duration.ofSeconds(150));
    }

    @Test
    void farFromTheEndNoStepIsLongerThanTheProgressCap() {
        List<Sample> h = List.of(at(0, 0), at(1_000, 0.1)); // 9,000 s left, span 1,000 s
        assertThat(next(h, 1_000, 0.5)).isEqualTo(Duration.ofMinutes(10));
        PollSchedule tighter = new PollSchedule(backoff, Duration.ofMinutes(5), true);
        assertThat(tighter.next(h, T0.plusSeconds(1_000), 0, Optional.empty(), 0.5)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aStepBeyondTheBackoffCapWaitsSixTenthsOfWhatRemains() {
        List<Sample> h = List.of(at(0, 0), at(300, 0.75)); // 100 s left, span 300 s
        assertThat(next(h, 300, 0.5)).isEqualTo(Duration.ofSeconds(60));
        List<Sample> slower = List.of(at(0, 0), at(300, 0.6)); // 200 s left
        assertThat(next(slower, 300, 0.5)).isEqualTo(Duration.ofSeconds(120));
        assertThat(next(slower, 300, 0.0)).isBetween(Duration.ofMillis(113_999), Duration.ofMillis(114_001)); // −5 %, to the ms
    }

    @Test
    void aJumpIsTrustedOnlyAsFarAsTheBackoffCap() {
        List<Sample> faster = List.of(at(0, 0), at(100, 0.01), at(110, 0.11)); // 10× faster lately: 89 s left
        assertThat(PollSchedule.estimate(faster).orElseThrow().jumped()).isTrue();
        assertThat(next(faster, 110, 0.5)).isEqualTo(Duration.ofSeconds(60));
        List<Sample> slower = List.of(at(0, 0), at(10, 0.5), at(110, 0.51)); // far slower lately
        assertThat(PollSchedule.estimate(slower).orElseThrow().jumped()).isTrue();
        assertThat(next(slower, 110, 0.5)).isEqualTo(Duration.ofSeconds(60));
        List<Sample> steady = List.of(at(0, 0), at(100, 0.1), at(110, 0.11));
        assertThat(PollSchedule.estimate(steady).orElseThrow().jumped()).isFalse();
    }

    @Test
    void withoutAnEstimateItBacksOff() {
        Duration backoffOnly = backoff.backoff(3, 0.5); // 9 s
        assertThat(next(List.of(), 0, 0.5)).isEqualTo(backoffOnly);
        assertThat(next(List.of(at(0, 0.3)), 0, 0.5)).isEqualTo(backoffOnly);
        assertThat(next(List.of(at(0, 0.2), at(10, 0.2)), 10, 0.5)).as("stalled").isEqualTo(backoffOnly);
        assertThat(next(List.of(at(0, 0.2), at(10, 1.0)), 10, 0.5)).as("done").isEqualTo(backoffOnly);
        assertThat(next(List.of(at(0, 0.9), at(10, 0.1), at(20, 0.2)), 20, 0.5)).as("backwards overall").isEqualTo(backoffOnly);
        assertThat(next(List.of(at(0, 0), at(10, 1e-9)), 10, 0.5)).as("over a year away").isEqualTo(backoffOnly);
        assertThat(next(List.of(at(0, 0), at(10, 0.5)), 20, 0.5)).as("due now").isEqualTo(backoffOnly);
        assertThat(next(List.of(at(0, 0), at(10, 0.5)), 25, 0.5)).as("overdue").isEqualTo(backoffOnly);
        assertThat(PollSchedule.estimate(List.of(at(10, 0.1), at(10, 0.2)))).as("no time between").isEmpty();
    }

    @Test
    void retryAfterAndAProgressBlindScheduleIgnoreTheEstimate() {
        List<Sample> h = List.of(at(0, 0), at(10, 0.5));
        assertThat(schedule.next(h, T0.plusSeconds(10), 3, Optional.of(Duration.ofSeconds(7)), 0.5)).isEqualTo(Duration.ofSeconds(7));
        assertThat(schedule.next(h, T0.plusSeconds(10), 3, Optional.of(Duration.ofHours(1)), 0.5)).isEqualTo(Duration.ofMinutes(10));
        PollSchedule blind = new PollSchedule(backoff, Duration.ofMinutes(10), false);
        assertThat(blind.next(h, T0.plusSeconds(10), 3, Optional.empty(), 0.5)).isEqualTo(backoff.backoff(3, 0.5));
    }

    @Test
    void samplesAndSchedulesAreValidatedOnConstruction() {
        assertThatCode(() -> new Sample(T0, 0)).doesNotThrowAnyException();
        assertThatCode(() -> new Sample(T0, 1)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new Sample(T0, -0.001)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sample(T0, 1.001)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sample(T0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatCode(() -> new PollSchedule(backoff, Duration.ofSeconds(60), true)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new PollSchedule(backoff, Duration.ofSeconds(59), true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEstimatesBoundariesFallOnTheDocumentedSide() {
        assertThat(PollSchedule.estimate(List.of(at(0, 0.2), at(10, 1.0)))).as("done").isEmpty();
        assertThat(PollSchedule.estimate(List.of(at(0, 0.3), at(10, 0.1), at(20, 0.3)))).as("no progress overall").isEmpty();
        assertThat(PollSchedule.estimate(List.of(at(20, 0.1), at(10, 0.2), at(20, 0.3)))).as("no time overall").isEmpty();
        // a rate exactly 4× the other is not yet a jump (times and fractions chosen to be exact in binary)
        assertThat(PollSchedule.estimate(List.of(ms(0, 0), ms(28_672, 0.25), ms(32_768, 0.5))).orElseThrow().jumped()).isFalse();
        assertThat(PollSchedule.estimate(List.of(ms(0, 0), ms(24_576, 0.46875), ms(32_768, 0.5))).orElseThrow().jumped()).isFalse();
        // an end exactly a year away is still an estimate
        long year = Duration.ofDays(365).toMillis();
        assertThat(PollSchedule.estimate(List.of(ms(0, 0), ms(year, 0.5))))
                .contains(new PollSchedule.Estimate(T0.plusMillis(2 * year), false));
    }

    private static Sample ms(long millis, double fraction) {
        return new Sample(T0.plusMillis(millis), fraction);
    }
}
