package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

class HostUpRateLimiterTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00Z"));
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
    void plentyOfBudgetBurstsThenTheSecondHalfIsSpreadUntilTheReset() {
        Instant reset = clock.instant().plusSeconds(10);
        limiter.observe(headers(100, 80, reset));
        assertThat(reserve()).isZero();
        limiter.answered();
        limiter.observe(headers(100, 10, reset));
        // 10 calls left for 10 s: one per second.
        assertThat(reserve()).isZero();
        assertThat(reserve()).isEqualTo(Duration.ofSeconds(1));
        assertThat(reserve()).isGreaterThan(Duration.ofMillis(1900)).isLessThanOrEqualTo(Duration.ofSeconds(2));
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
        assertThat(reserve()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void callsBookedButUnansweredAreTakenOffTheServersCount() {
        Instant reset = clock.instant().plusSeconds(10);
        limiter.observe(headers(10, 9, reset));
        for (int i = 0; i < 4; i++) {
            reserve(); // four calls on their way, not yet seen by the server
        }
        limiter.answered();
        // An answer to one of them: the server saw two calls (8 left); three of ours are still unanswered.
        limiter.observe(headers(10, 8, reset));
        int granted = 0;
        while (reserve().isZero()) {
            granted++;
        }
        // 8 - 3 = 5 left; the first half of the budget goes at once, the rest is paced.
        assertThat(granted).isLessThanOrEqualTo(5);
    }

    @Test
    void aNewWindowsBudgetIsNotSpentTwiceBeforeItsResetIsKnown() {
        Instant reset = clock.instant().plusSeconds(2);
        limiter.observe(headers(4, 0, reset));
        // Exhausted: four calls are booked at the reset (the new window's assumed budget) ...
        for (int i = 0; i < 4; i++) {
            assertThat(reserve()).isEqualTo(Duration.ofSeconds(2));
        }
        // ... and the fifth is not booked blindly: it asks again once answers from the new window can have come.
        HostUpRateLimiter.Reservation fifth = limiter.reserve();
        assertThat(fifth.granted()).isFalse();
        assertThat(fifth.delay()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2));
        limiter.answered();
        limiter.observe(headers(4, 3, clock.instant().plusSeconds(2)));
        // three of the four booked calls are still unanswered: nothing left in this window
        assertThat(reserve()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aLateAnswerFromTheOldWindowDoesNotOpenTheNewWindowTwice() {
        Instant reset = clock.instant().plusSeconds(2);
        limiter.observe(headers(4, 0, reset));
        for (int i = 0; i < 4; i++) {
            assertThat(reserve()).isEqualTo(Duration.ofSeconds(2)); // the new window's budget, booked at the reset
        }
        limiter.answered();
        limiter.observe(headers(4, 0, reset)); // an answer from the old window arriving late
        HostUpRateLimiter.Reservation next = limiter.reserve();
        assertThat(next.granted()).as("no second budget for the same window").isFalse();
    }

    @Test
    void aServerThatStopsSendingBudgetHeadersDoesNotFreezeTheWorker() {
        Instant reset = clock.instant().plusSeconds(2);
        limiter.observe(headers(2, 2, reset));
        clock.advance(Duration.ofSeconds(3)); // the window rolls over locally: 2 calls assumed
        for (int i = 0; i < 2; i++) {
            assertThat(limiter.reserve().granted()).isTrue();
        }
        assertThat(limiter.reserve().granted()).as("budget booked, answers pending").isFalse();
        for (int i = 0; i < 2; i++) {
            limiter.answered();
            limiter.observe(Optional.empty()); // rate limiting switched off: no headers any more
        }
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.reserve()).isEqualTo(new HostUpRateLimiter.Reservation(Duration.ZERO, true));
        }
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
    void aResetAYearAheadWaitsNoLongerThanTheCeiling() {
        limiter.observe(headers(10, 0, clock.instant().plus(Duration.ofDays(365))));
        assertThat(reserve()).isEqualTo(CEILING);
    }

    @Test
    void aResetIsReadAgainstTheAnswersOwnDateHeader() {
        // The server's clock is an hour behind ours: its reset is 4 s ahead of *its* now.
        Instant serverNow = clock.instant().minus(Duration.ofHours(1));
        limiter.observe(headers(10, 0, serverNow.plusSeconds(4)), Optional.of(httpDate(serverNow)));
        assertThat(reserve()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void aServerClockAheadDoesNotStretchTheWait() {
        Instant serverNow = clock.instant().plus(Duration.ofMinutes(5));
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
