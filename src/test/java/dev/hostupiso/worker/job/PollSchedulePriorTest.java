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
    private static final Optional<DurationPrior> QUICKEST = Optional.of(new DurationPrior(Duration.ofSeconds(40),
            Duration.ofSeconds(100)));

    private static Instant t(double seconds) {
        return T0.plusMillis((long) (seconds * 1000));
    }

    private Duration next(PollSchedule s, List<Sample> history, double now, Optional<DurationPrior> quickest) {
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
        // Once progress shows, the quickest time no longer matters (a typical time far off confirms nothing).
        List<Sample> going = List.of(new Sample(t(60), 0.3));
        Optional<DurationPrior> farOff = Optional.of(new DurationPrior(Duration.ofSeconds(40), Duration.ofMinutes(30)));
        assertThat(next(aware, going, 60, farOff)).isEqualTo(next(aware, going, 60, Optional.empty()));
    }

    @Test
    void theWaitStaysWithinTheFloorAndABlindWaitAndRetryAfterWins() {
        assertThat(next(aware, List.of(), 39.5, QUICKEST)).isEqualTo(Duration.ofSeconds(2));
        // At most the progress cap; on the floor's grid, so a fixed poller's settings poll at the fixed poller's instants.
        Optional<DurationPrior> far = Optional.of(new DurationPrior(Duration.ofHours(2), Duration.ofHours(3)));
        assertThat(next(aware, List.of(), 0, far)).isEqualTo(Duration.ofMinutes(10));
        PollSchedule every30 = new PollSchedule(new RetryPolicy(Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofMinutes(10)), Duration.ofMinutes(10), true);
        assertThat(next(every30, List.of(), 0, QUICKEST)).isEqualTo(Duration.ofSeconds(30));
        assertThat(next(every30, List.of(), 0, Optional.of(new DurationPrior(Duration.ofSeconds(100),
                Duration.ofSeconds(200))))).isEqualTo(Duration.ofSeconds(90));
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

    @Test
    void anEstimateThePriorAgreesWithIsExtrapolatedAsFarAsAConfirmedOne() {
        // One sample: 30 % at 30 s, an end near 98 s. Unconfirmed, it is extrapolated at most the backoff cap (60 s).
        List<Sample> one = List.of(new Sample(t(30), 0.3));
        assertThat(next(aware, one, 30, Optional.empty())).isEqualTo(Duration.ofSeconds(60));
        // The prior typically says 100 s: a second rate agrees, and the end is aimed at (68 s to go, plus the spread).
        assertThat(next(aware, one, 30, QUICKEST).toMillis()).isBetween(69_000L, 72_000L);
        // A prior that says 10 min (six times the estimate) confirms nothing.
        Optional<DurationPrior> slow = Optional.of(new DurationPrior(Duration.ofSeconds(250), Duration.ofMinutes(10)));
        assertThat(next(aware, one, 30, slow)).isEqualTo(Duration.ofSeconds(60));
    }
}
