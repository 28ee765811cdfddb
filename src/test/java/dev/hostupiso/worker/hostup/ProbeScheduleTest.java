package dev.hostupiso.worker.hostup;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How often a held key is probed: the delay is a pure function of the attempt and this instance's share. */
class ProbeScheduleTest {

    private final ProbeSchedule schedule = ProbeSchedule.DEFAULT;

    @Test
    void fiveSecondsDoublingToAMinute() {
        assertThat(schedule.delay(0, 1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(schedule.delay(1, 1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(schedule.delay(3, 1)).isEqualTo(Duration.ofSeconds(40));
        assertThat(schedule.delay(4, 1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(schedule.delay(1_000, 1)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void instancesSharingAKeyStretchTheirDelaySoTogetherTheyKeepTheRate() {
        // Three instances, a third of the key each: every one probes every 15 s, the key sees one per 5 s.
        assertThat(schedule.delay(0, 1.0 / 3)).isEqualTo(Duration.ofSeconds(15));
        assertThat(schedule.delay(9, 0.5)).isEqualTo(Duration.ofMinutes(2));
        assertThat(schedule.delay(0, Double.NaN)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void invalidSchedulesAreRefused() {
        assertThatThrownBy(() -> new ProbeSchedule(Duration.ZERO, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProbeSchedule(Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
