package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.wire.RateLimitHeaders;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Edges of the sliding window {@link KeyBudget} measures from a call's start to its reset. */
class KeyBudgetEdgeTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00.250Z");

    private final ManualClock clock = new ManualClock(T0.plusMillis(5));

    private static RateLimitHeaders headers(int remaining, Instant reset) {
        return new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(remaining), Optional.of(reset));
    }

    @Test
    void aResetWithMillisecondsIsTakenAsItIsNotAsWholeSeconds() {
        KeyBudget budget = new KeyBudget(clock);
        budget.learn(headers(9, T0.plusMillis(6_500)), Optional.empty(), Optional.of(T0));
        assertThat(budget.slidingWindowSeconds()).isEqualTo(6.5);
    }

    @Test
    void aMillisecondWindowMeasuredOnABusyKeyGrowsByFivePercentAndFiftyMillisOnA429() {
        KeyBudget budget = new KeyBudget(clock);
        budget.learn(headers(3, T0.plusMillis(6_500)), Optional.empty(), Optional.of(T0));
        budget.refusedWhilePacedFromOwnCalls(clock.instant());
        assertThat(budget.slidingWindowSeconds()).isCloseTo(6.5 * 1.05 + 0.05, within(1e-9));
    }

    @Test
    void aMeasureOnlyAsLongAsTheLongestKeepsWhetherThatOneWasAlone() {
        KeyBudget budget = new KeyBudget(clock);
        // 6.75 s on a busy key, then the same 6.75 s on a call the window held alone: still the busy measure, which grows.
        budget.learn(headers(3, Instant.parse("2026-11-27T10:00:07Z")), Optional.empty(), Optional.of(T0));
        clock.advance(Duration.ofSeconds(10));
        budget.learn(headers(9, Instant.parse("2026-11-27T10:00:17Z")), Optional.empty(), Optional.of(T0.plusSeconds(10)));
        assertThat(budget.slidingWindowSeconds()).isEqualTo(6.0);
        budget.refusedWhilePacedFromOwnCalls(clock.instant());
        assertThat(budget.slidingWindowSeconds()).isEqualTo(7.0);
    }
}
