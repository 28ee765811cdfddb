package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.simulator.RateWindow;
import dev.hostupiso.worker.simulator.RateWindowModel;
import dev.hostupiso.worker.simulator.ResetPrecision;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.wire.RateLimitHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sliding window paced from the instance's own call times: once its share is spent, its next call goes when its own
 * call that many calls back leaves the window (with a small margin), not at the announced reset, which may be rounded
 * up to a whole second. One instance against the simulator's own sliding-window arithmetic, on a manual clock.
 */
class SlidingWindowPaceTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00.250Z");
    private static final int LIMIT = 10;
    private static final long WINDOW_MILLIS = 10_000;

    private final ManualClock clock = new ManualClock(T0);
    private final RateWindow key = RateWindow.of(RateWindowModel.SLIDING, LIMIT, WINDOW_MILLIS);
    private final HostUpRateLimiter limiter = new HostUpRateLimiter(clock, new WorkerMetrics(new SimpleMeterRegistry()),
            null, Duration.ofMinutes(10), PacingPolicy.DEFAULT, () -> 1);
    /** Start of every call made; refused ones too. */
    private final List<Instant> calls = new ArrayList<>();
    private int refused;

    /** Asks for slots until one is granted, makes the call against the window and feeds the answer back 5 ms later. */
    private Instant nextCall(ResetPrecision precision) {
        HostUpRateLimiter.Reservation r = limiter.reserve();
        while (!r.granted()) {
            clock.advance(r.delay().isZero() ? Duration.ofMillis(1) : r.delay());
            r = limiter.reserve();
        }
        Instant start = clock.advance(r.delay());
        RateWindow.Decision d = key.hit(start.toEpochMilli());
        calls.add(start);
        refused += d.exceeded() ? 1 : 0;
        clock.advance(Duration.ofMillis(5));
        limiter.answered();
        if (d.exceeded()) {
            limiter.refused();
            limiter.pauseFor(Duration.ofMillis(d.retryAfterMillis()));
        }
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(start.atZone(ZoneOffset.UTC));
        limiter.observe(Optional.of(new RateLimitHeaders(OptionalInt.of(d.limit()), OptionalInt.of(d.remaining()),
                Optional.of(precision.header(d.resetMillis())))), Optional.of(date));
        return start;
    }

    @Test
    void onceItsShareIsSpentTheNextCallGoesWhenItsOwnOldestCallLeavesTheWindowNotAtTheRoundedReset() {
        // The first window's calls show how the reset moves (a budget that comes back call by call); from the second
        // window on, each call goes when the call ten back leaves the window (plus 1 % of the window and 50 ms), while
        // the server announces that as the next whole second.
        for (int i = 0; i < 3 * LIMIT; i++) {
            nextCall(ResetPrecision.SECONDS);
        }
        for (int i = 2 * LIMIT; i < 3 * LIMIT; i++) {
            Instant leaves = calls.get(i - LIMIT).plusMillis(WINDOW_MILLIS);
            // ... or, when that is sooner, one average interval (1 s) after the call before: the pace of the window's average
            Instant paced = calls.get(i - 1).plusMillis(1_001);
            assertThat(calls.get(i)).as("call %d", i).isAfterOrEqualTo(leaves)
                    .isBeforeOrEqualTo(SlotBook.max(leaves.plusMillis(200), paced));
        }
        assertThat(refused).isZero();
    }

    @Test
    void withExactResetsTheOwnPaceKeepsTheMarginPastTheCallTenBackLeaving() {
        // Resets in milliseconds: the window is read exactly, and from the third window on each call goes at least 1 %
        // of the window (plus the slack) after the call ten back leaves it, not right as it leaves.
        for (int i = 0; i < 3 * LIMIT; i++) {
            nextCall(ResetPrecision.MILLISECONDS);
        }
        for (int i = 2 * LIMIT; i < 3 * LIMIT; i++) {
            Instant leaves = calls.get(i - LIMIT).plusMillis(WINDOW_MILLIS);
            assertThat(calls.get(i)).as("call %d", i).isAfterOrEqualTo(leaves.plusMillis(WINDOW_MILLIS / 100));
        }
        assertThat(refused).isZero();
    }

    @ParameterizedTest
    @EnumSource(ResetPrecision.class)
    void overFiveWindowsAtLeast95PercentOfTheBudgetIsUsedWithoutA429(ResetPrecision precision) {
        Instant first = nextCall(precision);
        Instant end = first.plusMillis(5 * WINDOW_MILLIS);
        while (nextCall(precision).isBefore(end)) {
            // the loop makes the calls
        }
        long inSpan = calls.stream().filter(c -> c.isBefore(end)).count();
        assertThat(refused).as("answered 429").isZero();
        assertThat(inSpan).as("calls in five windows of %d", LIMIT).isGreaterThanOrEqualTo(48);
    }

    @Test
    void theOwnCallLogAnswersWhenTheCallThatManyBackLeavesTheWindow() {
        OwnCallLog log = new OwnCallLog();
        assertThat(log.freeAt(2, Duration.ofSeconds(10))).as("no call yet").isEqualTo(Instant.MIN);
        for (int i = 0; i < 40; i++) {
            log.granted(T0.plusSeconds(i));
        }
        assertThat(log.freeAt(1, Duration.ofSeconds(10))).isEqualTo(T0.plusSeconds(49));
        assertThat(log.freeAt(3, Duration.ofSeconds(10))).isEqualTo(T0.plusSeconds(47));
        // asked for more than it kept (16 so far): not known, then kept from now on
        assertThat(log.freeAt(30, Duration.ofSeconds(10))).isEqualTo(Instant.MIN);
        assertThat(log.freeAt(16, Duration.ofSeconds(10))).isEqualTo(T0.plusSeconds(34));
        for (int i = 40; i < 80; i++) {
            log.granted(T0.plusSeconds(i));
        }
        assertThat(log.freeAt(30, Duration.ofSeconds(10))).isEqualTo(T0.plusSeconds(60));
        assertThat(log.freeAt(1, Duration.ofSeconds(10))).isEqualTo(T0.plusSeconds(89));
    }

    @Test
    void aWholeSecondResetIsReadAsAWindowOfWholeSecondsNeverShorterThanTheRealOne() {
        KeyBudget budget = new KeyBudget(clock);
        // A call at 10:00:00.250 into an empty 10 s window: its reset, 10:00:10.250, is written as 10:00:11.
        clock.advance(Duration.ofMillis(5));
        budget.learn(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(9), Optional.of(Instant.parse("2026-11-27T10:00:11Z"))),
                Optional.empty(), Optional.of(T0));
        assertThat(budget.slidingWindowSeconds()).isEqualTo(10.0);
        KeyBudget exact = new KeyBudget(clock);
        exact.learn(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(9), Optional.of(T0.plusSeconds(10))),
                Optional.empty(), Optional.of(T0));
        assertThat(exact.slidingWindowSeconds()).as("milliseconds: from the call's start").isEqualTo(10.0);
    }

    @Test
    void aWindowMeasuredOnABusyKeyMayBeShortAndGrowsOnA429OnceAWindowOneMeasuredAloneDoesNot() {
        // Joining a busy key: this call at 10:00:00.250 shares the window with 6 others, the oldest of which leaves it
        // at 10:00:07: 6.75 s from this call's start, read as 6 s of whole seconds, where the window is 10 s.
        clock.advance(Duration.ofMillis(5));
        KeyBudget joined = new KeyBudget(clock);
        joined.learn(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(3), Optional.of(Instant.parse("2026-11-27T10:00:07Z"))),
                Optional.empty(), Optional.of(T0));
        assertThat(joined.slidingWindowSeconds()).isEqualTo(6.0);
        joined.refusedWhilePacedFromOwnCalls(clock.instant());
        assertThat(joined.slidingWindowSeconds()).as("a 429: a second longer").isEqualTo(7.0);
        joined.refusedWhilePacedFromOwnCalls(clock.advance(Duration.ofSeconds(3)));
        assertThat(joined.slidingWindowSeconds()).as("another 429 within that window").isEqualTo(7.0);
        joined.refusedWhilePacedFromOwnCalls(clock.advance(Duration.ofSeconds(5)));
        assertThat(joined.slidingWindowSeconds()).as("a window later").isEqualTo(8.0);

        KeyBudget alone = new KeyBudget(clock);
        alone.learn(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(9), Optional.of(clock.instant().plusSeconds(10))),
                Optional.empty(), Optional.of(clock.instant()));
        alone.refusedWhilePacedFromOwnCalls(clock.instant());
        assertThat(alone.slidingWindowSeconds()).as("measured on a call the window held alone: others overspent")
                .isEqualTo(10.0);
    }

    @Test
    void aDateHeaderWrittenJustBeforeASecondTurnedAndReadJustAfterIsNoSkew() {
        // The server wrote Date at 10:00:00.999 (as 10:00:00); the answer arrives 5 ms later, at 10:00:01.004: 1.004 s
        // apart, which is the header's resolution plus the answer's travel, not a server clock a second behind.
        clock.set(Instant.parse("2026-11-27T10:00:01.004Z"));
        KeyBudget budget = new KeyBudget(clock);
        budget.learn(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(9), Optional.of(Instant.parse("2026-11-27T10:00:10.999Z"))),
                Optional.of("Fri, 27 Nov 2026 10:00:00 GMT"));
        assertThat(budget.resetAt).isEqualTo(Instant.parse("2026-11-27T10:00:10.999Z"));
    }
}
