package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.wire.RateLimitHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/** What the limiter learns about a key over several windows, and how instances sharing one take turns. */
class RateLimiterLearningTest {

    private final HostUpRateLimiterTest.MutableClock clock = new HostUpRateLimiterTest.MutableClock(Instant.parse("2026-11-27T10:00:00.250Z"));

    private HostUpRateLimiter limiter(double share) {
        return new HostUpRateLimiter(clock, new WorkerMetrics(new SimpleMeterRegistry()), null, Duration.ofMinutes(10),
                PacingPolicy.DEFAULT, () -> share);
    }

    private static Optional<RateLimitHeaders> headers(int limit, int remaining, Instant reset) {
        return Optional.of(new RateLimitHeaders(OptionalInt.of(limit), OptionalInt.of(remaining), Optional.of(reset)));
    }

    /** One call granted now and answered at once with {@code remaining} left until {@code reset}. */
    private void call(HostUpRateLimiter l, int limit, int remaining, Instant reset) {
        HostUpRateLimiter.Reservation r = l.reserve();
        assertThat(r.granted()).isTrue();
        clock.advance(r.delay());
        l.answered();
        l.observe(headers(limit, remaining, reset));
    }

    @Test
    void aFixedWindowThatGotShorterIsLearnedAfreshNotKeptAtItsLongestEver() {
        HostUpRateLimiter l = limiter(1);
        // One window of 60 s, then the server's windows are 10 s: 60 calls each.
        Instant first = clock.instant().plusSeconds(60);
        call(l, 60, 59, first);
        call(l, 60, 5, first);
        clock.advance(Duration.between(clock.instant(), first).plusMillis(10));
        for (int w = 0; w < 3; w++) {
            Instant reset = clock.instant().plusSeconds(10);
            call(l, 60, 59, reset);
            call(l, 60, 5, reset); // others spent most of it: the budget comes back at the reset
            clock.advance(Duration.between(clock.instant(), reset).plusMillis(10));
        }
        call(l, 60, 59, clock.instant().plusSeconds(10));
        // 59 left for 10 s: about 6 per second. Kept at 60 s, the key's average would be 1/s and the pace at most 1.5/s.
        Duration spacing = l.reserve().delay();
        assertThat(spacing).isLessThan(Duration.ofMillis(300));
    }

    @Test
    void aWindowLongerThanTheWaitCeilingIsPacedOverItsWholeLength() {
        // 3,600 calls per hour, a 10-minute ceiling on every wait: the budget is spread over the hour (about 1 call per
        // second), not over the first 10 minutes (6 per second, then 50 minutes of nothing).
        HostUpRateLimiter l = limiter(1);
        call(l, 3600, 3599, clock.instant().plusSeconds(3600));
        assertThat(l.reserve().granted()).isTrue();
        HostUpRateLimiter.Reservation next = l.reserve();
        assertThat(next.delay()).as("the slot after").isGreaterThan(Duration.ofMillis(600));
    }

    @Test
    void moreInstancesThanCallsPerWindowTakeTurnsAtTheFirstCallAfterAReset() {
        // A key of 8 calls per 10 s shared by 16 instances (a share of half a call per window each): an instance whose
        // share is spent probes after every other reset, not after every one.
        HostUpRateLimiter l = limiter(1.0 / 16);
        Instant reset = clock.instant().plusSeconds(10);
        call(l, 8, 7, reset); // learns the window: 10 s
        l.observe(headers(8, 0, reset)); // the others spent the rest
        int probes = 0;
        Instant end = clock.instant().plusSeconds(60);
        while (clock.instant().isBefore(end)) {
            HostUpRateLimiter.Reservation r = l.reserve();
            clock.advance(r.delay().isZero() ? Duration.ofMillis(5) : r.delay());
            if (r.granted()) {
                probes++;
                l.answered();
                Instant next = clock.instant().plusSeconds(10);
                l.observe(headers(8, 7, next)); // a new window: the budget came back
                l.observe(headers(8, 0, next)); // and the others spent the rest of it
            }
        }
        assertThat(probes).as("probes in 6 windows").isBetween(2, 4);
    }
}
