package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.testsupport.ManualTimers;
import dev.hostupiso.worker.wire.RateLimitHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link HostUpRateLimiter#acquire} before the first answer, the wait a call past its deadline is told of, and the slowest pace. */
class HostUpRateLimiterAcquireTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final ManualTimers timers = new ManualTimers(clock);
    private final HostUpRateLimiter limiter = new HostUpRateLimiter(clock, new WorkerMetrics(new SimpleMeterRegistry()),
            timers, Duration.ofMinutes(10));

    private UniAssertSubscriber<Permit> acquire(Instant deadline) {
        return limiter.acquire(deadline).subscribe().withSubscriber(UniAssertSubscriber.create());
    }

    @Test
    void beforeAnyAnswerOneCallGoesAndTheOthersAskAgainUntilItEnds() {
        var first = acquire(Instant.MAX);
        Permit going = first.assertCompleted().getItem();
        var second = acquire(Instant.MAX);
        second.assertNotTerminated();
        timers.advance(HostUpRateLimiter.PROBE_WAIT);
        second.assertNotTerminated(); // asked again: the first call is still out
        going.failed();
        timers.advance(HostUpRateLimiter.PROBE_WAIT);
        assertThat(second.assertCompleted().getItem().isReleased()).isFalse();
    }

    @Test
    void aCallPastItsDeadlineIsToldHowLongItWouldHaveWaited() {
        limiter.observe(Optional.of(new RateLimitHeaders(OptionalInt.of(1), OptionalInt.of(0),
                Optional.of(clock.instant().plusSeconds(60)))));
        var sub = acquire(clock.instant().plusSeconds(5));
        HostUpRateLimiter.PastDeadlineException e = (HostUpRateLimiter.PastDeadlineException) sub.getFailure();
        assertThat(e.waitNeeded()).isGreaterThan(Duration.ofSeconds(5)).isLessThanOrEqualTo(Duration.ofSeconds(60));
        assertThat(e.getMessage()).contains("past the deadline");
    }

    @Test
    void aPaceOfNoCallsASecondOrNaNWaitsTheCeiling() {
        SlotBook slots = new SlotBook(Duration.ofMinutes(10), Duration.ofMinutes(2), clock);
        assertThat(slots.interval(0)).isEqualTo(Duration.ofMinutes(10));
        assertThat(slots.interval(Double.NaN)).isEqualTo(Duration.ofMinutes(10));
        assertThat(slots.interval(4)).isEqualTo(Duration.ofMillis(250));
        assertThat(slots.interval(1e-9)).as("cut to the ceiling").isEqualTo(Duration.ofMinutes(10));
    }
}
