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

/** {@link HostUpRateLimiter#acquire}: waits bounded by the deadline, cancellable, slots released once. */
class PermitTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final ManualTimers timers = new ManualTimers(clock);
    private final HostUpRateLimiter limiter = new HostUpRateLimiter(clock, new WorkerMetrics(new SimpleMeterRegistry()),
            timers, Duration.ofMinutes(10));

    private void exhaustedUntil(Instant reset) {
        limiter.observe(Optional.of(new RateLimitHeaders(OptionalInt.of(1), OptionalInt.of(0), Optional.of(reset))));
    }

    @Test
    void aWaitEndingPastTheDeadlineFailsAtOnce() {
        exhaustedUntil(clock.instant().plusSeconds(60));
        var sub = limiter.acquire(clock.instant().plusSeconds(5)).subscribe().withSubscriber(UniAssertSubscriber.create());
        sub.assertFailedWith(HostUpRateLimiter.PastDeadlineException.class);
        assertThat(timers.pending()).isZero();
    }

    @Test
    void aWaitWithinTheDeadlineEndsAtTheReset() {
        exhaustedUntil(clock.instant().plusSeconds(4));
        var sub = limiter.acquire(clock.instant().plusSeconds(5)).subscribe().withSubscriber(UniAssertSubscriber.create());
        sub.assertNotTerminated();
        timers.advance(Duration.ofSeconds(4));
        assertThat(sub.awaitItem().getItem().isReleased()).isFalse();
    }

    @Test
    void cancellingTheWaitCancelsTheTimerAndReleasesTheSlotOnce() {
        limiter.observe(Optional.empty()); // an answer came: calls are granted
        exhaustedUntil(clock.instant().plusSeconds(4));
        var sub = limiter.acquire(Instant.MAX).subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(timers.pending()).isEqualTo(1);
        sub.cancel();
        assertThat(timers.pending()).as("timer cancelled").isZero();
        // The slot was released: with nothing outstanding, a new caller's reservation is granted as a probe
        // (were it still outstanding, a call would be told to ask again).
        HostUpRateLimiter.Reservation r = limiter.reserve();
        assertThat(r.granted()).isTrue();
    }

    @Test
    void aPermitReleasesItsSlotExactlyOnce() {
        limiter.observe(Optional.empty());
        var sub = limiter.acquire(Instant.MAX).subscribe().withSubscriber(UniAssertSubscriber.create());
        Permit first = sub.awaitItem().getItem();
        var sub2 = limiter.acquire(Instant.MAX).subscribe().withSubscriber(UniAssertSubscriber.create());
        Permit second = sub2.awaitItem().getItem();
        exhaustedUntil(clock.instant().plusSeconds(4));
        // Budget spent, reset unknown after roll-over ... two outstanding: releasing one twice must count once.
        first.failed();
        first.cancel();
        first.failed();
        assertThat(first.isReleased()).isTrue();
        clock.advance(Duration.ofSeconds(5)); // the window rolls over locally: what came back is unknown
        // The second permit is still outstanding and its answer will tell the budget: ask again.
        assertThat(limiter.reserve().granted()).as("second permit still counts as outstanding").isFalse();
        second.cancel();
        second.cancel();
        assertThat(limiter.reserve().granted()).as("nothing outstanding: one call finds the budget out").isTrue();
    }
}
