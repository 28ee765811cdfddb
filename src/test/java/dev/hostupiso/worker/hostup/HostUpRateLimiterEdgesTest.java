package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.hostup.HostUpRateLimiterTest.MutableClock;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.RateLimitHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The limiter where its parts meet: answers without budget headers, late answers of a window already rolled over,
 * a budget that drips back, the stagger after a reset, permits that tell the limiter how their call ended.
 */
class HostUpRateLimiterEdgesTest {

    private static final Duration CEILING = Duration.ofMinutes(10);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T10:00:00.250Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HostUpRateLimiter limiter = new HostUpRateLimiter(clock, new WorkerMetrics(registry), null, CEILING);

    private static Optional<RateLimitHeaders> headers(int limit, int remaining, Instant reset) {
        return Optional.of(new RateLimitHeaders(OptionalInt.of(limit), OptionalInt.of(remaining), Optional.of(reset)));
    }

    private static ApiResponse answer(int status, Optional<RateLimitHeaders> rateLimit) {
        return new ApiResponse(Endpoint.values()[0], status, "", Optional.empty(), Optional.empty(), rateLimit,
                Optional.empty(), Optional.empty());
    }

    @Test
    void anAnswerWithoutBudgetHeadersKeepsAKnownWindowsBudget() {
        limiter.observe(headers(100, 99, clock.instant().plusSeconds(10)));
        assertThat(limiter.reserve().granted()).isTrue();
        limiter.answered();
        limiter.observe(Optional.empty()); // e.g. an endpoint that sends no budget headers
        assertThat(limiter.reserve().granted()).isTrue();
        assertThat(limiter.reserve().granted()).as("the budget is still known: calls go side by side, paced").isTrue();
    }

    @Test
    void aPauseOutlastingTheDeadlineRefusesTheCallAtOnceWithOrWithoutABudget() {
        limiter.observe(Optional.empty()); // an answer came, without a budget: nothing is paced
        limiter.pauseFor(Duration.ofSeconds(30)); // after a 429
        HostUpRateLimiter.Reservation unpaced = limiter.reserve(clock.instant().plusSeconds(10));
        assertThat(unpaced.pastDeadline()).isTrue();
        assertThat(unpaced.granted()).isFalse();
        limiter.observe(headers(100, 50, clock.instant().plusSeconds(60)));
        HostUpRateLimiter.Reservation paced = limiter.reserve(clock.instant().plusSeconds(10));
        assertThat(paced.pastDeadline()).isTrue();
        assertThat(paced.delay()).isEqualTo(Duration.ofSeconds(30));
        HostUpRateLimiter.Reservation later = limiter.reserve();
        assertThat(later.granted()).as("nothing was booked for the refused calls: a caller without a deadline asks "
                + "again shortly before the pause ends").isFalse();
        assertThat(later.delay()).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30));
    }

    @Test
    void aLateAnswerOfAWindowAlreadyRolledOverDoesNotRaiseTheNewWindowsBudget() {
        Instant oldReset = clock.instant().plusSeconds(2);
        limiter.observe(headers(4, 0, oldReset));
        clock.advance(Duration.ofSeconds(2));
        assertThat(limiter.reserve().granted()).as("the call that finds out what came back").isTrue();
        limiter.answered();
        Instant newReset = clock.instant().plusSeconds(2);
        limiter.observe(headers(4, 2, newReset)); // the budget came back: a fixed window, two calls left
        limiter.observe(headers(4, 4, oldReset)); // the old window's first answer, arriving late
        int granted = 0;
        for (int i = 0; i < 20 && clock.instant().isBefore(newReset); i++) {
            HostUpRateLimiter.Reservation r = limiter.reserve(newReset.minusNanos(1));
            if (r.pastDeadline()) {
                break;
            }
            if (r.granted()) {
                granted++;
            }
            clock.advance(r.delay().isZero() ? Duration.ofMillis(1) : r.delay());
        }
        assertThat(granted).as("calls before the new window's reset").isEqualTo(2);
    }

    @Test
    void aSpentBudgetThatDripsBackIsSpentOneCallPerRefillInterval() {
        // A token bucket: 60 per 60 s, one token a second; spent.
        limiter.observe(headers(60, 58, clock.instant().plusSeconds(2)));
        limiter.observe(headers(60, 57, clock.instant().plusSeconds(3)));
        clock.advance(Duration.ofSeconds(1));
        limiter.observe(headers(60, 0, clock.instant().plusSeconds(60)));
        assertThat(limiter.reserve().delay()).isZero();
        // The remaining count is rounded down, so one call of the 60 missing may be rounding: the refill is read as
        // 59 calls in the 60 s to the reset, never more than the bucket gives back.
        Duration interval = Duration.ofNanos((long) (60e9 / 59));
        for (int i = 0; i < 4; i++) {
            HostUpRateLimiter.Reservation next = limiter.reserve();
            assertThat(next.granted()).isTrue();
            assertThat(next.delay()).as("call %d after the budget was spent", i + 2).isEqualTo(interval);
            clock.advance(next.delay());
        }
        assertThat(registry.get(WorkerMetrics.RATE_LIMIT_PACED_RATE).gauge().value()).as("paced at the refill rate")
                .isCloseTo(59.0 / 60, within(1e-9));
    }

    @Test
    void afterAResetThatFreesOneCallTheNextGoesAtARandomPointOfOneAverageInterval() {
        RandomGenerator half = () -> 0x8000_0000_0000_0000L; // nextDouble() of this generator: 0.5
        assertThat(half.nextDouble()).isEqualTo(0.5);
        HostUpRateLimiter staggered = new HostUpRateLimiter(clock, new WorkerMetrics(registry), null, CEILING,
                PacingPolicy.DEFAULT, ShareSource.WHOLE, half);
        staggered.observe(headers(60, 0, clock.instant().plusSeconds(10)));
        clock.advance(Duration.ofSeconds(10));
        assertThat(staggered.reserve().granted()).as("the probe").isTrue();
        staggered.answered();
        Instant reset = clock.instant().plusSeconds(1); // a sliding window: the oldest call expires in a second
        staggered.observe(headers(60, 0, reset));
        // The key's average is 60 calls in 10 s: one call per 166.7 ms; half of that after the reset.
        Instant expected = reset.plusNanos(83_333_333);
        HostUpRateLimiter.Reservation r = staggered.reserve();
        for (int i = 0; i < 5 && !r.granted(); i++) {
            clock.advance(r.delay());
            r = staggered.reserve();
        }
        assertThat(r.granted()).isTrue();
        assertThat(Duration.between(expected, clock.instant().plus(r.delay())).abs()).isLessThan(Duration.ofMillis(1));
    }

    @Test
    void aSpentBudgetWithoutAResetIsFoundOutByOneCallAtATime() {
        limiter.observe(Optional.of(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(0), Optional.empty())));
        assertThat(limiter.reserve().granted()).as("one call finds out when budget comes back").isTrue();
        HostUpRateLimiter.Reservation other = limiter.reserve();
        assertThat(other.granted()).as("the others wait for its answer").isFalse();
        assertThat(other.delay()).isGreaterThanOrEqualTo(HostUpRateLimiter.PROBE_WAIT);
        limiter.answered();
        assertThat(limiter.reserve().granted()).as("answered without news: the next call finds out").isTrue();
    }

    @Test
    void anAnsweredPermitNoLongerCountsAgainstTheBudgetItsAnswerShows() {
        assertThat(limiter.reserve().granted()).isTrue();
        Instant reset = clock.instant().plusSeconds(2);
        new Permit(limiter).answered(answer(200, headers(10, 2, reset)));
        int granted = 0;
        for (int i = 0; i < 20 && clock.instant().isBefore(reset); i++) {
            HostUpRateLimiter.Reservation r = limiter.reserve(reset.minusNanos(1));
            if (r.pastDeadline()) {
                break;
            }
            if (r.granted()) {
                granted++;
            }
            clock.advance(r.delay().isZero() ? Duration.ofMillis(1) : r.delay());
        }
        assertThat(granted).as("the two calls the answer shows left").isEqualTo(2);
    }

    @Test
    void anInstanceWithAThirdOfTheKeyProbesAfterAResetAtAThirdOfTheKeysAverage() {
        HostUpRateLimiter third = new HostUpRateLimiter(clock, new WorkerMetrics(new SimpleMeterRegistry()), null,
                CEILING, PacingPolicy.DEFAULT, () -> 1.0 / 3);
        third.observe(headers(30, 0, clock.instant().plusSeconds(10))); // 30 calls per 10 s: 3 a second
        clock.advance(Duration.ofSeconds(10));
        assertThat(third.reserve().granted()).as("the call that finds out what came back").isTrue();
        third.answered();
        third.observe(headers(30, 29, clock.instant().plusSeconds(10)));
        HostUpRateLimiter.Reservation next = third.reserve();
        assertThat(next.granted()).isTrue();
        assertThat(next.delay()).as("a third of 3 calls a second: one a second").isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aPermitTellsTheLimiterHowItsCallEnded() {
        HostUpRateLimiter refusedTwin = new HostUpRateLimiter(clock, new WorkerMetrics(new SimpleMeterRegistry()), null,
                CEILING);
        Instant reset = clock.instant().plusSeconds(100);
        for (HostUpRateLimiter l : new HostUpRateLimiter[] {limiter, refusedTwin}) {
            assertThat(l.reserve().granted()).as("the first call finds out the budget").isTrue();
            assertThat(l.reserve().granted()).as("the others wait for its answer").isFalse();
        }
        new Permit(limiter).answered(answer(200, headers(1000, 999, reset)));
        new Permit(refusedTwin).answered(answer(429, headers(1000, 999, reset)));
        for (HostUpRateLimiter l : new HostUpRateLimiter[] {limiter, refusedTwin}) {
            assertThat(l.shape()).isEqualTo(BudgetShape.UNKNOWN);
            assertThat(l.reserve().granted()).as("the answer showed the budget: calls go").isTrue();
        }
        Duration pace = limiter.reserve().delay();
        Duration refusedPace = refusedTwin.reserve().delay();
        assertThat(pace).isPositive();
        assertThat((double) refusedPace.toNanos() / pace.toNanos()).as("a 429 halves the pace").isCloseTo(2.0, within(0.01));

        HostUpRateLimiter failing = new HostUpRateLimiter(clock, new WorkerMetrics(new SimpleMeterRegistry()), null, CEILING);
        assertThat(failing.reserve().granted()).isTrue();
        Permit lost = new Permit(failing);
        lost.failed(); // no HTTP answer
        assertThat(lost.isReleased()).isTrue();
        assertThat(failing.reserve().granted()).as("the failed call no longer counts: another finds the budget out").isTrue();
    }
}
