package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.wire.RateLimitHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/** A 429 on the limiter lengthens a sliding window measured on a busy key. */
class RefusedLengthensWindowTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00.250Z");

    @Test
    void a429LengthensAWindowMeasuredOnABusyKey() throws Exception {
        ManualClock clock = new ManualClock(T0.plusMillis(5));
        HostUpRateLimiter limiter = new HostUpRateLimiter(clock, new WorkerMetrics(new SimpleMeterRegistry()),
                null, Duration.ofMinutes(10), PacingPolicy.DEFAULT, () -> 1);
        Field field = HostUpRateLimiter.class.getDeclaredField("budget");
        field.setAccessible(true);
        KeyBudget budget = (KeyBudget) field.get(limiter);
        budget.learn(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(3), Optional.of(Instant.parse("2026-11-27T10:00:07Z"))),
                Optional.empty(), Optional.of(T0));
        assertThat(budget.slidingWindowSeconds()).isEqualTo(6.0);
        limiter.refused();
        assertThat(budget.slidingWindowSeconds()).isEqualTo(7.0);
    }
}
