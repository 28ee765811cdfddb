package dev.hostupiso.worker.job;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link AmbiguityWatch}: the window from the file's size, bounded; the reads' schedule. */
class AmbiguityWatchTest {

    private final AmbiguityWatch watch = new AmbiguityWatch(Duration.ofMinutes(10), Duration.ofSeconds(1));

    @Test
    void theWindowIsTheConfiguredOneWithoutASizeOrForASmallFile() {
        assertThat(watch.window(null)).isEqualTo(Duration.ofMinutes(10));
        assertThat(watch.window(100_000_000L)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aLargeFileGetsItsExpectedDurationWithAMarginUpToTheBound() {
        assertThat(watch.window(6_000_000_000L)).isEqualTo(Duration.ofMinutes(30)); // 20 min expected
        assertThat(watch.window(20_000_000_000L)).isEqualTo(Duration.ofMillis(6_000_000)); // 66.7 min expected
        assertThat(watch.window(Long.MAX_VALUE)).isEqualTo(AmbiguityWatch.MAX_WINDOW);
        assertThat(new AmbiguityWatch(Duration.ofDays(1), Duration.ZERO).window(null)).isEqualTo(AmbiguityWatch.MAX_WINDOW);
    }

    @Test
    void readsStartAtOnceThenWaitForTheExpectedEndAndStayWithinTheWindow() {
        List<Duration> reads = reads(watch, 1_500_000_000L); // 5 minutes expected
        assertThat(reads).hasSize(AmbiguityWatch.READS);
        assertThat(reads.get(0)).isZero();
        assertThat(reads.get(1)).isEqualTo(Duration.ofMinutes(5));
        assertThat(reads.get(reads.size() - 1)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void readsAreNeverCloserThanTheSpacingSoATinyWindowGetsFewer() {
        List<Duration> reads = reads(new AmbiguityWatch(Duration.ofMillis(300), Duration.ofMillis(100)), null);
        assertThat(reads).containsExactly(Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300));
    }

    @Test
    void aWindowMustBePositive() {
        assertThatThrownBy(() -> new AmbiguityWatch(Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Duration> reads(AmbiguityWatch w, Long bytes) {
        List<Duration> reads = new ArrayList<>();
        Duration previous = Duration.ZERO;
        for (int i = 0; ; i++) {
            Optional<Duration> at = w.readAt(i, bytes, previous);
            if (at.isEmpty()) {
                return reads;
            }
            reads.add(at.get());
            previous = at.get();
        }
    }
}
