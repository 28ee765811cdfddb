package dev.hostupiso.worker.job;

import dev.hostupiso.worker.job.ProgressThrottle.Sent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressThrottleTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final ProgressThrottle throttle = new ProgressThrottle(Duration.ofSeconds(10));

    @Test
    void theFirstObservationIsSent() {
        assertThat(throttle.due(Optional.empty(), T0, 0)).isTrue();
    }

    @Test
    void withinTheIntervalOnlyANewTenPercentStepIsSent() {
        Optional<Sent> last = Optional.of(new Sent(T0, 21));
        assertThat(throttle.due(last, T0.plusSeconds(3), 29.9)).isFalse();
        assertThat(throttle.due(last, T0.plusSeconds(3), 30)).isTrue();
        assertThat(throttle.due(last, T0.plusSeconds(3), 75)).isTrue();
    }

    @Test
    void afterTheIntervalAnyProgressIsSentButAStallIsNot() {
        Optional<Sent> last = Optional.of(new Sent(T0, 21));
        assertThat(throttle.due(last, T0.plusSeconds(10), 22)).isTrue();
        assertThat(throttle.due(last, T0.plusSeconds(60), 21)).as("stalled").isFalse();
        assertThat(throttle.due(last, T0.plusSeconds(60), 20)).as("backwards").isFalse();
    }

    @Test
    void oneHundredPercentIsItsOwnStep() {
        assertThat(throttle.due(Optional.of(new Sent(T0, 99)), T0.plusSeconds(1), 100)).isTrue();
        assertThat(ProgressThrottle.step(100)).isEqualTo(10);
    }
}
