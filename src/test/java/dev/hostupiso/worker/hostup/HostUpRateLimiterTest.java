package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.wire.RateLimitHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class HostUpRateLimiterTest {

    // Not on a whole second: resets in whole seconds are read as rounded up (see the test of that).
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00.250Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HostUpRateLimiter limiter = new HostUpRateLimiter(clock, new WorkerMetrics(registry), null, CEILING);
    private static final Duration CEILING = Duration.ofMinutes(10);

    private static Optional<RateLimitHeaders> headers(int limit, int remaining, Instant reset) {
        return Optional.of(new RateLimitHeaders(OptionalInt.of(limit), OptionalInt.of(remaining), Optional.of(reset)));
    }

    private Duration reserve() {
        HostUpRateLimiter.Reservation r = limiter.reserve();
        assertThat(r.granted()).as("granted").isTrue();
        return r.delay();
    }

    @Test
    void unknownBudgetDoesNotDelayOnceTheFirstAnswerCame() {
        assertThat(reserve()).isZero();
        limiter.answered();
        limiter.observe(Optional.empty());
        assertThat(reserve()).isZero();
        assertThat(reserve()).isZero();
    }

    @Test
    void beforeTheFirstAnswerOneCallProbesAndTheOthersAskAgain() {
        assertThat(reserve()).isZero();
        HostUpRateLimiter.Reservation second = limiter.reserve();
        assertThat(second.granted()).isFalse();
        assertThat(second.delay()).isEqualTo(HostUpRateLimiter.PROBE_WAIT);
        limiter.answered();
        limiter.observe(headers(100, 99, clock.instant().plusSeconds(10)));
        assertThat(reserve()).isZero();
    }

    @Test
    void afterA429EveryCallerWaitsTheRetryAfter() {
        limiter.pauseFor(Duration.ofSeconds(3));
        assertThat(reserve()).isEqualTo(Duration.ofSeconds(3));
        limiter.answered();
        limiter.observe(Optional.empty());
        assertThat(reserve()).isEqualTo(Duration.ofSeconds(3));
        clock.advance(Duration.ofSeconds(3));
        assertThat(reserve()).isZero();
    }

    @Test
    void theRemainingBudgetIsSpreadEvenlyUntilTheResetNotBurst() {
        Instant reset = clock.instant().plusSeconds(10);
        limiter.observe(headers(100, 80, reset));
        // 80 calls left for 10 s: one every 125 ms from the first call on (the old limiter burst 30 at once).
        assertThat(reserve()).isZero();
        assertThat(reserve()).isEqualTo(Duration.ofMillis(125));
        limiter.answered();
        limiter.answered();
        limiter.observe(headers(100, 10, reset));
        clock.advance(Duration.ofMillis(250));
        // 10 calls left for 9.875 s: about one per second.
        assertThat(reserve()).isZero();
        assertThat(limiter.reserve().delay()).as("the next slot is about a second away").isGreaterThan(Duration.ofMillis(900));
    }

    @Test
    void plentyOfBudgetIsNeverSpentFasterThanTheBurstCeilingOverTheWindowsAverage() {
        // 100 calls per 10 s window, and the reset only 1 s away with 90 left: 90/s would spend it, but the
        // window's average is 10/s and the ceiling 1.5 × that.
        limiter.observe(headers(100, 99, clock.instant().plusSeconds(10)));
        limiter.observe(headers(100, 90, clock.instant().plusSeconds(10)));
        clock.advance(Duration.ofSeconds(9));
        assertThat(reserve()).isZero();
        assertThat(reserve()).isEqualTo(Duration.ofNanos(66_666_666));
    }

    @Test
    void exhaustedBudgetWaitsForTheReset() {
        Instant reset = clock.instant().plusSeconds(4);
        limiter.observe(headers(10, 0, reset));
        assertThat(reserve()).isEqualTo(Duration.ofSeconds(4));
        assertThat(registry.get(WorkerMetrics.RATE_LIMIT_REMAINING).gauge().value()).isZero();
        assertThat(registry.get(WorkerMetrics.RATE_LIMIT_LIMIT).gauge().value()).isEqualTo(10);
    }

    @Test
    void staleHigherCountsFromOvertakenAnswersDoNotRaiseTheBudget() {
        Instant reset = clock.instant().plusSeconds(60);
        limiter.observe(headers(10, 1, reset));
        limiter.observe(headers(10, 5, reset)); // an older answer arriving late
        assertThat(reserve()).isZero();  // spends the single call left
        HostUpRateLimiter.Reservation next = limiter.reserve();
        assertThat(next.granted()).isFalse();
        assertThat(next.delay()).as("nothing before the reset").isGreaterThan(Duration.ofSeconds(59));
    }

    @Test
    void callsBookedButUnansweredAreTakenOffTheServersCount() {
        Instant reset = clock.instant().plusSeconds(10);
        limiter.observe(headers(10, 9, reset));
        for (int i = 0; i < 4; i++) {
            assertThat(limiter.reserve().granted()).isTrue(); // four calls booked, not yet seen by the server
            clock.advance(Duration.ofMillis(1100));
        }
        limiter.answered();
        // An answer to one of them: the server saw two calls (8 left); three of ours are still unanswered.
        limiter.observe(headers(10, 8, reset));
        int granted = 0;
        for (int i = 0; i < 20; i++) {
            HostUpRateLimiter.Reservation r = limiter.reserve();
            granted += r.granted() ? 1 : 0;
            clock.advance(r.delay().isZero() ? Duration.ofMillis(1) : r.delay());
            if (clock.instant().isAfter(reset.minusMillis(1))) {
                break;
            }
        }
        // 8 - 3 = 5 left before the reset
        assertThat(granted).isEqualTo(5);
    }

    @Test
    void afterTheResetOnlyOneCallGoesUntilAnAnswerShowsWhatCameBack() {
        Instant reset = clock.instant().plusSeconds(2);
        limiter.observe(headers(4, 0, reset));
        // Exhausted: one call is booked at the reset to find out what came back (a sliding window frees one call,
        // a fixed one all four) ...
        clock.advance(Duration.ofMillis(1900));
        assertThat(reserve()).isEqualTo(Duration.ofMillis(100));
        // ... and nothing else goes before its answer (the old limiter booked four: three 429s on a sliding window).
        clock.advance(Duration.ofMillis(100));
        for (int i = 0; i < 3; i++) {
            HostUpRateLimiter.Reservation other = limiter.reserve();
            assertThat(other.granted()).isFalse();
            assertThat(other.delay()).isGreaterThanOrEqualTo(HostUpRateLimiter.PROBE_WAIT);
        }
        limiter.answered();
        limiter.observe(headers(4, 3, clock.instant().plusSeconds(2)));
        // a whole new window: three calls left for 2 s, the next one paced after the probe
        assertThat(reserve()).isLessThanOrEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aSlidingWindowThatFreesOneCallAtTheResetGetsOneCallNotAStorm() {
        Instant reset = clock.instant().plusSeconds(10);
        limiter.observe(headers(60, 0, reset));
        clock.advance(Duration.ofSeconds(10));
        assertThat(reserve()).isZero(); // the probe
        limiter.answered();
        // only the oldest call expired: the probe took it, and the next one expires a second later
        limiter.observe(headers(60, 0, clock.instant().plusSeconds(1)));
        HostUpRateLimiter.Reservation next = limiter.reserve();
        assertThat(next.granted()).isFalse();
        assertThat(next.delay()).as("asks again shortly before the reset").isGreaterThan(Duration.ofMillis(800));
    }

    @Test
    void aLateAnswerFromTheOldWindowDoesNotOpenTheNewWindowTwice() {
        Instant reset = clock.instant().plusSeconds(2);
        limiter.observe(headers(4, 0, reset));
        clock.advance(Duration.ofSeconds(2));
        assertThat(reserve()).isZero(); // the call that finds out what the new window holds
        limiter.observe(headers(4, 0, reset)); // an answer to an older call, from the old window, arriving late
        HostUpRateLimiter.Reservation next = limiter.reserve();
        assertThat(next.granted()).as("no second budget for the same window").isFalse();
    }

    @Test
    void aBudgetThatDripsBackIsPacedAtItsRefillRateNotHeldUntilTheReset() {
        // A token bucket whose reset is when it is full: 60 per 60 s, one token a second.
        limiter.observe(headers(60, 58, clock.instant().plusSeconds(2)));
        limiter.observe(headers(60, 57, clock.instant().plusSeconds(3))); // a call pushed "full" a second later
        assertThat(limiter.shape()).isEqualTo(BudgetShape.CONTINUOUS);
        clock.advance(Duration.ofSeconds(1));
        limiter.observe(headers(60, 0, clock.instant().plusSeconds(60)));
        // spent: the next call goes at the refill rate (one a second), not after the 60 s to "full"
        assertThat(reserve()).isZero();
        HostUpRateLimiter.Reservation next = limiter.reserve();
        assertThat(next.delay()).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aResetThatMovesWithTheBudgetBackIsAWindow() {
        limiter.observe(headers(10, 1, clock.instant().plusSeconds(1)));
        limiter.observe(headers(10, 9, clock.instant().plusSeconds(11)));
        assertThat(limiter.shape()).isEqualTo(BudgetShape.WINDOW);
    }

    @Test
    void a429HalvesThePaceAndItRecoversOverAWindow() {
        limiter.observe(headers(100, 99, clock.instant().plusSeconds(10)));
        assertThat(reserve()).isZero();
        Duration paced = limiter.reserve().delay();
        limiter.refused();
        clock.advance(paced);
        reserve();
        assertThat(limiter.reserve().delay()).isGreaterThan(paced.multipliedBy(19).dividedBy(10));
    }

    @Test
    void anInstanceSpendsOnlyItsShareOfTheKey() {
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        HostUpRateLimiter third = new HostUpRateLimiter(clock, new WorkerMetrics(own), null, CEILING,
                PacingPolicy.DEFAULT, () -> 1.0 / 3);
        third.observe(headers(30, 30, clock.instant().plusSeconds(10)));
        int granted = 0;
        for (int i = 0; i < 40; i++) {
            HostUpRateLimiter.Reservation r = third.reserve();
            if (r.granted()) {
                granted++;
            }
            clock.advance(r.delay().isZero() ? Duration.ofMillis(1) : r.delay());
            if (clock.instant().isAfter(Instant.parse("2026-11-27T10:00:10.1Z"))) {
                break;
            }
        }
        assertThat(granted).as("a third of 30 calls in the window").isEqualTo(10);
        assertThat(own.get(WorkerMetrics.RATE_LIMIT_SHARE).gauge().value()).isCloseTo(1.0 / 3, within(1e-9));
    }

    @Test
    void aServerThatStopsSendingBudgetHeadersDoesNotFreezeTheWorker() {
        Instant reset = clock.instant().plusSeconds(2);
        limiter.observe(headers(2, 2, reset));
        clock.advance(Duration.ofSeconds(3)); // the window rolls over locally: one call finds out what came back
        assertThat(limiter.reserve().granted()).isTrue();
        assertThat(limiter.reserve().granted()).as("budget unknown, answer pending").isFalse();
        limiter.answered();
        limiter.observe(Optional.empty()); // rate limiting switched off: no headers any more
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.reserve()).isEqualTo(new HostUpRateLimiter.Reservation(Duration.ZERO, true));
        }
    }

    @Test
    void aReleaseThatNeverComesDoesNotFreezeTheAccountLongerThanAPermitsLifetime() {
        Instant reset = clock.instant().plusSeconds(2);
        limiter.observe(headers(1, 1, reset));
        clock.advance(Duration.ofSeconds(3)); // the window rolled over: one call finds out what came back
        assertThat(limiter.reserve().granted()).isTrue(); // ...and its release is lost
        clock.advance(HostUpRateLimiter.PERMIT_LIFETIME.minusSeconds(1));
        assertThat(limiter.reserve().granted()).as("the lost call may still be running").isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(limiter.reserve().granted()).as("past its lifetime the lost permit no longer blocks").isTrue();
        limiter.answered();
        limiter.answered(); // the late release of the expired permit changes nothing
        limiter.observe(headers(1, 1, clock.instant().plusSeconds(2)));
        assertThat(limiter.reserve().granted()).isTrue();
    }

    @Test
    void callsThatAllFailWithoutAnswerDoNotFreezeTheWorker() {
        Instant reset = clock.instant().plusSeconds(2);
        limiter.observe(headers(1, 1, reset));
        clock.advance(Duration.ofSeconds(3));
        assertThat(limiter.reserve().granted()).isTrue();
        limiter.answered(); // a transport failure: no headers to learn from
        assertThat(limiter.reserve().granted()).as("nothing in flight could tell the budget: probe").isTrue();
    }

    @Test
    void aResetInWholeSecondsIsTakenToEndHalfASecondEarlierForSpreading() {
        // 10:00:00.250 now; the window's budget of 10 is spread until 10:00:05 - 0.5 s (the header was rounded up).
        limiter.observe(headers(10, 10, Instant.parse("2026-11-27T10:00:05Z")));
        assertThat(reserve()).isZero();
        assertThat(reserve()).isEqualTo(Duration.ofNanos(425_000_000)); // 4.25 s / 10
    }

    @Test
    void aResetAYearAheadWaitsNoLongerThanTheCeiling() {
        limiter.observe(headers(10, 0, clock.instant().plus(Duration.ofDays(365))));
        assertThat(reserve()).isEqualTo(CEILING);
    }

    @Test
    void aResetIsReadAgainstTheAnswersOwnDateHeader() {
        // The server's clock is an hour behind ours: its reset is 4 s ahead of *its* now.
        Instant serverNow = clock.instant().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        limiter.observe(headers(10, 0, serverNow.plusSeconds(4)), Optional.of(httpDate(serverNow)));
        assertThat(reserve()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void aServerClockAheadDoesNotStretchTheWait() {
        Instant serverNow = clock.instant().plus(Duration.ofMinutes(5)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        limiter.observe(headers(10, 0, serverNow.plusSeconds(3)), Optional.of(httpDate(serverNow)));
        assertThat(reserve()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aPauseLongerThanTheCeilingIsCut() {
        limiter.pauseFor(Duration.ofDays(2));
        assertThat(reserve()).isEqualTo(CEILING);
    }

    @Test
    void aSlotPastTheDeadlineIsRefusedWithoutBookingIt() {
        limiter.observe(headers(10, 0, clock.instant().plusSeconds(30)));
        HostUpRateLimiter.Reservation r = limiter.reserve(clock.instant().plusSeconds(10));
        assertThat(r.pastDeadline()).isTrue();
        assertThat(r.granted()).isFalse();
        // Nothing was booked: a caller without that deadline still gets the first slot of the new window.
        assertThat(reserve()).isEqualTo(Duration.ofSeconds(30));
    }

    private static String httpDate(Instant t) {
        return java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(t.atZone(ZoneOffset.UTC));
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
