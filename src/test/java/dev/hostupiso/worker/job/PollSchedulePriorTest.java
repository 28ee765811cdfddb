package dev.hostupiso.worker.job;

import dev.hostupiso.worker.job.PollSchedule.Sample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Progress-aware polling with a prior on the duration ({@link ThroughputPrior}): the queued polls are skipped. */
class PollSchedulePriorTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final RetryPolicy backoff = new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(10));
    private final PollSchedule aware = new PollSchedule(backoff, Duration.ofMinutes(10), true);
    private final PollSchedule off = new PollSchedule(backoff, Duration.ofMinutes(10), false);
    private static final Optional<Duration> QUICKEST = Optional.of(Duration.ofSeconds(40));

    private static Instant t(double seconds) {
        return T0.plusMillis((long) (seconds * 1000));
    }

    private Duration next(PollSchedule s, List<Sample> history, double now, Optional<Duration> quickest) {
        return s.next(T0, history, t(now), history.size(), Optional.empty(), 0.5, quickest);
    }

    @Test
    void beforeAnyProgressTheNextPollLandsAtTheQuickestTimeThePriorAllows() {
        assertThat(next(aware, List.of(), 0, QUICKEST)).isEqualTo(Duration.ofSeconds(40));
        assertThat(next(aware, List.of(new Sample(t(2), 0)), 2, QUICKEST)).isEqualTo(Duration.ofSeconds(38));
        // Without the prior: the floor, then 6 × the time so far (jittered down by 5 % at random 0.5).
        assertThat(next(aware, List.of(), 0, Optional.empty())).isEqualTo(Duration.ofSeconds(2));
        assertThat(next(aware, List.of(new Sample(t(2), 0)), 2, Optional.empty())).isEqualTo(Duration.ofMillis(11_400));
    }

    @Test
    void aPriorThatHasPassedOrProgressThatShowsHandsBackToTheUsualRules() {
        List<Sample> queued = List.of(new Sample(t(40), 0));
        assertThat(next(aware, queued, 40, QUICKEST)).isEqualTo(next(aware, queued, 40, Optional.empty()));
        List<Sample> going = List.of(new Sample(t(60), 0.3));
        assertThat(next(aware, going, 60, QUICKEST)).isEqualTo(next(aware, going, 60, Optional.empty()));
    }

    @Test
    void theWaitStaysWithinTheFloorAndABlindWaitAndRetryAfterWins() {
        assertThat(next(aware, List.of(), 39.5, QUICKEST)).isEqualTo(Duration.ofSeconds(2));
        // At most 0.9 × the backoff cap: a download quicker than the prior is seen no later than a blind one.
        assertThat(next(aware, List.of(), 0, Optional.of(Duration.ofHours(2)))).isEqualTo(Duration.ofSeconds(54));
        PollSchedule every10 = new PollSchedule(new RetryPolicy(Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofMinutes(10)), Duration.ofMinutes(10), true);
        assertThat(next(every10, List.of(), 0, QUICKEST)).isEqualTo(Duration.ofSeconds(10));
        assertThat(aware.next(T0, List.of(), T0, 0, Optional.of(Duration.ofSeconds(7)), 0.5, QUICKEST))
                .isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void withoutProgressAwarenessThePriorIsIgnored() {
        for (int attempt = 0; attempt < 5; attempt++) {
            assertThat(off.next(T0, List.of(), t(10), attempt, Optional.empty(), 0.3, QUICKEST))
                    .isEqualTo(off.next(T0, List.of(), t(10), attempt, Optional.empty(), 0.3));
        }
    }
}
