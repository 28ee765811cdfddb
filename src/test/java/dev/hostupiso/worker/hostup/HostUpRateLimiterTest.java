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
    private final HostUpRateLimiter limiter = new HostUpRateLimiter(clock, new WorkerMetrics(registry));

    private static Optional<RateLimitHeaders> headers(int limit, int remaining, Instant reset) {
        return Optional.of(new RateLimitHeaders(OptionalInt.of(limit), OptionalInt.of(remaining), Optional.of(reset)));
    }

    @Test
    void unknownBudgetDoesNotDelay() {
        assertThat(limiter.reserve()).isZero();
        assertThat(limiter.reserve()).isZero();
    }

    @Test
    void afterA429EveryCallerWaitsTheRetryAfter() {
        limiter.pauseFor(Duration.ofSeconds(3));
        assertThat(limiter.reserve()).isEqualTo(Duration.ofSeconds(3));
        assertThat(limiter.reserve()).isEqualTo(Duration.ofSeconds(3));
        clock.advance(Duration.ofSeconds(3));
        assertThat(limiter.reserve()).isZero();
    }

    @Test
    void plentyOfBudgetBurstsThenTheSecondHalfIsSpreadUntilTheReset() {
        Instant reset = clock.instant().plusSeconds(10);
        limiter.observe(headers(100, 80, reset));
        assertThat(limiter.reserve()).isZero();
        limiter.observe(headers(100, 10, reset));
        // 10 calls left for 10 s: one per second.
        assertThat(limiter.reserve()).isZero();
        assertThat(limiter.reserve()).isEqualTo(Duration.ofSeconds(1));
        assertThat(limiter.reserve()).isGreaterThan(Duration.ofMillis(1900)).isLessThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void exhaustedBudgetWaitsForTheReset() {
        Instant reset = clock.instant().plusSeconds(4);
        limiter.observe(headers(10, 0, reset));
        assertThat(limiter.reserve()).isEqualTo(Duration.ofSeconds(4));
        assertThat(registry.get(WorkerMetrics.RATE_LIMIT_REMAINING).gauge().value()).isZero();
        assertThat(registry.get(WorkerMetrics.RATE_LIMIT_LIMIT).gauge().value()).isEqualTo(10);
    }

    @Test
    void staleHigherCountsFromOvertakenAnswersDoNotRaiseTheBudget() {
        Instant reset = clock.instant().plusSeconds(60);
        limiter.observe(headers(10, 1, reset));
        limiter.observe(headers(10, 5, reset)); // an older answer arriving late
        assertThat(limiter.reserve()).isZero();  // spends the single call left
        assertThat(limiter.reserve()).isEqualTo(Duration.ofSeconds(60));
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
