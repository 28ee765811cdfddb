package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.wire.RateLimitHeaders;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The limiter's parts on their own: the AIMD factor, the outstanding grants, what one answer teaches the budget. */
class LimiterPartsTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void theAimdFactorHalvesOnA429AndClimbsBackLinearlyOverOneWindow() {
        AimdPace aimd = new AimdPace(PacingPolicy.DEFAULT);
        assertThat(aimd.at(T0, 10)).isEqualTo(1.0);
        aimd.refused(T0, 10);
        assertThat(aimd.at(T0, 10)).as("no time passed").isEqualTo(0.5);
        assertThat(aimd.at(T0.plusSeconds(2), 10)).as("a fifth of the window: a fifth of the way back")
                .isCloseTo(0.7, within(1e-9));
        assertThat(aimd.at(T0.plusSeconds(2), 10)).as("asked again at the same instant").isCloseTo(0.7, within(1e-9));
        assertThat(aimd.at(T0.plusSeconds(12), 10)).as("a window after the 429").isEqualTo(1.0);
        aimd.refused(T0.plusSeconds(12), 10);
        aimd.refused(T0.plusSeconds(12), 10);
        assertThat(aimd.at(T0.plusSeconds(12), 10)).as("two 429s at once").isEqualTo(0.25);
    }

    @Test
    void eachGrantExpiresALifetimeAfterItsOwnSlotAndEachExpiryIsALostRelease() {
        OutstandingPermits permits = new OutstandingPermits(Duration.ofMinutes(2));
        permits.granted(T0);
        permits.granted(T0.plusSeconds(60));
        assertThat(permits.count(T0.plusSeconds(119))).isEqualTo(2);
        assertThat(permits.count(T0.plusSeconds(120))).as("the first grant's lifetime is over").isEqualTo(1);
        assertThat(permits.count(T0.plusSeconds(179))).as("the second grant is a minute younger").isEqualTo(1);
        assertThat(permits.count(T0.plusSeconds(180))).isZero();
        assertThat(permits.expired()).isEqualTo(2);
        permits.released(); // a late release of an expired grant changes nothing
        assertThat(permits.count(T0.plusSeconds(180))).isZero();
        assertThat(permits.expired()).isEqualTo(2);
    }

    @Test
    void aLimitHeaderOfZeroStillLeavesOneCallAWindowToFindOutTheBudget() {
        KeyBudget budget = new KeyBudget(java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC));
        budget.learn(new RateLimitHeaders(OptionalInt.of(0), OptionalInt.of(7), Optional.of(T0.plusSeconds(10))),
                Optional.empty());
        assertThat(budget.limit()).as("never zero: the pace is the limit over the window").isEqualTo(1);
        budget.learn(new RateLimitHeaders(OptionalInt.of(20), OptionalInt.of(5), Optional.of(T0.plusSeconds(10))),
                Optional.empty());
        assertThat(budget.limit()).isEqualTo(20);
    }

    @Test
    void aDateHeaderExactlyOneSecondOffIsTheHeadersResolutionNotSkew() {
        KeyBudget budget = new KeyBudget(java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC));
        String oneSecondBehind = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(T0.minusSeconds(1).atZone(java.time.ZoneOffset.UTC));
        budget.learn(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(5), Optional.of(T0.plusSeconds(10))),
                Optional.of(oneSecondBehind));
        assertThat(budget.resetAt).as("read on the local clock").isEqualTo(T0.plusSeconds(10));
        KeyBudget skewed = new KeyBudget(java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC));
        String twoSecondsBehind = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(T0.minusSeconds(2).atZone(java.time.ZoneOffset.UTC));
        skewed.learn(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(5), Optional.of(T0.plusSeconds(10))),
                Optional.of(twoSecondsBehind));
        assertThat(skewed.resetAt).as("12 s left on the server's clock").isEqualTo(T0.plusSeconds(12));
    }

    @Test
    void aFixedWindowThatGotShorterIsMeasuredAfreshByItsFirstAnswer() {
        MutableClock clock = new MutableClock(T0);
        KeyBudget budget = new KeyBudget(clock);
        budget.learn(headers(10, 1, T0.plusSeconds(60)), Optional.empty());
        clock.set(T0.plusSeconds(60));
        budget.learn(headers(10, 9, T0.plusSeconds(70)), Optional.empty()); // the budget came back: a fixed window
        assertThat(budget.shape).isEqualTo(BudgetShape.WINDOW);
        assertThat(budget.windowSeconds).as("the new window's own length").isCloseTo(10, within(1e-9));
        clock.set(T0.plusSeconds(65));
        budget.learn(headers(10, 4, T0.plusSeconds(70)), Optional.empty()); // later in the same window
        assertThat(budget.windowSeconds).as("a later answer of the window does not shorten it").isCloseTo(10, within(1e-9));
    }

    @Test
    void aWholeSecondResetIsTakenToEndHalfASecondEarlyOnlyWhenMoreThanASecondAway() {
        KeyBudget budget = new KeyBudget(java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC));
        budget.learn(headers(10, 5, T0.plusSeconds(3)), Optional.empty());
        assertThat(budget.at(T0, 5).secondsToReset()).isCloseTo(2.5, within(1e-9));
        assertThat(budget.at(T0.plusSeconds(2), 5).secondsToReset()).as("exactly a second away: not cut")
                .isCloseTo(1.0, within(1e-9));
        assertThat(budget.at(T0.plusMillis(1_999), 5).secondsToReset()).isCloseTo(0.501, within(1e-9));
    }

    @Test
    void anAnswerWhoseResetIsNowTeachesNoWindowAndNoRefillRate() {
        KeyBudget budget = new KeyBudget(java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC));
        budget.learn(headers(10, 5, T0), Optional.empty());
        assertThat(budget.windowSeconds).isNaN();
        assertThat(budget.refill).isNaN();
        assertThat(budget.average()).isNaN();
    }

    private static RateLimitHeaders headers(int limit, int remaining, Instant reset) {
        return new RateLimitHeaders(OptionalInt.of(limit), OptionalInt.of(remaining), Optional.of(reset));
    }

    private static final class MutableClock extends java.time.Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant t) {
            now = t;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
