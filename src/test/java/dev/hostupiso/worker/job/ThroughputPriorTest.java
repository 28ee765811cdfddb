package dev.hostupiso.worker.job;

import org.junit.jupiter.api.Test;

import dev.hostupiso.worker.testsupport.ManualClock;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThroughputPriorTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T10:00:00Z"));

    @Test
    void claimsNothingBeforeEnoughDownloadsOrWithoutASize() {
        ThroughputPrior prior = new ThroughputPrior(clock);
        for (int i = 0; i < ThroughputPrior.MIN_DOWNLOADS - 1; i++) {
            prior.observe(1_000_000, Duration.ofSeconds(10));
            assertThat(prior.quickest(1_000_000)).isEmpty();
        }
        prior.observe(1_000_000, Duration.ofSeconds(10));
        assertThat(prior.quickest(1_000_000)).isPresent();
        assertThat(prior.quickest(0)).isEmpty();
        assertThat(prior.quickest(-1)).isEmpty();
    }

    @Test
    void alikeDownloadsGiveATimeBelowTheirsByTheLeastSpreadAssumed() {
        ThroughputPrior prior = new ThroughputPrior(clock);
        for (int i = 0; i < 20; i++) {
            prior.observe(1_000_000, Duration.ofSeconds(100)); // 10 bytes per ms
        }
        // 100 s × exp(-3.5 × 0.25) ≈ 41.7 s for the same size; twice the size, twice the time; typically 100 s.
        assertThat(prior.quickest(1_000_000)).hasValueSatisfying(d ->
                assertThat(d.toMillis()).isBetween(41_400L, 42_000L));
        assertThat(prior.quickest(2_000_000)).hasValueSatisfying(d ->
                assertThat(d.toMillis()).isBetween(82_800L, 84_000L));
        assertThat(prior.expect(1_000_000)).hasValueSatisfying(p ->
                assertThat(p.typical().toMillis()).isBetween(99_000L, 101_000L));
    }

    @Test
    void scatteredDownloadsGiveAnEarlierTimeThanAlikeOnes() {
        ThroughputPrior alike = new ThroughputPrior(clock);
        ThroughputPrior scattered = new ThroughputPrior(clock);
        for (int i = 0; i < 20; i++) {
            alike.observe(1_000_000, Duration.ofSeconds(100));
            scattered.observe(1_000_000, Duration.ofSeconds(i % 2 == 0 ? 30 : 300));
        }
        long a = alike.quickest(1_000_000).orElseThrow().toMillis();
        long s = scattered.quickest(1_000_000).orElseThrow().toMillis();
        assertThat(s).isLessThan(a / 2);
    }

    @Test
    void forgetsOldDownloads() {
        ThroughputPrior prior = new ThroughputPrior(clock);
        for (int i = 0; i < 50; i++) {
            prior.observe(1_000_000, Duration.ofSeconds(10)); // fast path, long ago
        }
        for (int i = 0; i < 60; i++) {
            prior.observe(1_000_000, Duration.ofSeconds(1000)); // a slower path now
        }
        // Decayed: near what the recent downloads allow (1000 s × 0.42), not what the old ones did (10 s).
        assertThat(prior.quickest(1_000_000)).hasValueSatisfying(d ->
                assertThat(d.toSeconds()).isBetween(380L, 450L));
    }

    @Test
    void isBoundedAndRefusesNonsense() {
        ThroughputPrior prior = new ThroughputPrior(clock);
        for (int i = 0; i < 10; i++) {
            prior.observe(1, Duration.ofHours(1));
        }
        assertThat(prior.quickest(Long.MAX_VALUE)).contains(ThroughputPrior.MAX);
        assertThatThrownBy(() -> prior.observe(0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> prior.observe(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void forgetsEverythingAfterADayWithoutADownload() {
        ThroughputPrior prior = new ThroughputPrior(clock);
        for (int i = 0; i < 10; i++) {
            prior.observe(1_000_000, Duration.ofSeconds(100));
        }
        clock.advance(ThroughputPrior.STALE);
        assertThat(prior.expect(1_000_000)).as("a day old: still known").isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(prior.expect(1_000_000)).as("older than a day: forgotten").isEmpty();
        for (int i = 0; i < ThroughputPrior.MIN_DOWNLOADS - 1; i++) {
            prior.observe(1_000_000, Duration.ofSeconds(10));
        }
        assertThat(prior.expect(1_000_000)).as("learning again from nothing").isEmpty();
        prior.observe(1_000_000, Duration.ofSeconds(10));
        assertThat(prior.expect(1_000_000)).hasValueSatisfying(p ->
                assertThat(p.typical().toMillis()).isBetween(9_900L, 10_100L));
    }
}
