package dev.hostupiso.worker.hostup;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PacingPolicyTest {

    private final PacingPolicy policy = PacingPolicy.DEFAULT;

    @Test
    void aWindowsBudgetIsSpreadUntilItsReset() {
        var b = new PacingPolicy.Budget(BudgetShape.WINDOW, 60, 30, 5, 10, Double.NaN);
        assertThat(policy.keyRate(b)).isCloseTo(6, within(1e-9));
        assertThat(policy.instanceRate(b, 1.0 / 3, 1)).isCloseTo(2, within(1e-9));
        assertThat(policy.instanceRate(b, 1.0 / 3, 0.5)).isCloseTo(1, within(1e-9));
    }

    @Test
    void aSpentWindowWaitsForItsReset() {
        assertThat(policy.keyRate(new PacingPolicy.Budget(BudgetShape.WINDOW, 60, 0.5, 5, 10, Double.NaN))).isZero();
        assertThat(policy.keyRate(new PacingPolicy.Budget(BudgetShape.UNKNOWN, 60, 0, 5, 10, Double.NaN))).isZero();
    }

    @Test
    void aDrippingBudgetGoesOnAtItsRefillRateWhenSpent() {
        // a token bucket refilling 1/s (60 per 60 s) whose reset is "full again": 60 s away when empty
        var b = new PacingPolicy.Budget(BudgetShape.CONTINUOUS, 60, 0, 60, 60, 1.0);
        assertThat(policy.keyRate(b)).isCloseTo(1, within(1e-9));
        assertThat(policy.returnsInChunks(b)).isFalse();
    }

    @Test
    void aSlidingWindowsResetOneCallAwayIsChunky() {
        var b = new PacingPolicy.Budget(BudgetShape.CONTINUOUS, 60, 0, 0.2, 10, 300);
        assertThat(policy.returnsInChunks(b)).isTrue();
    }

    @Test
    void invalidPoliciesAreRefused() {
        assertThatThrownBy(() -> new PacingPolicy(0.9, 0, 2, 0.5, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy(1.5, 0.5, 2, 0.5, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy(1.5, 0, -1, 0.5, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy(1.5, 0, 2, 1, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy(1.5, 0, 2, 0.5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy(Double.NaN, 0, 2, 0.5, 0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aimdHalvesOnA429AndRecoversOverOneWindow() {
        assertThat(policy.afterRefusal(1)).isEqualTo(0.5);
        assertThat(policy.afterRefusal(0.1)).isEqualTo(policy.floor());
        assertThat(policy.recovered(0.5, 5, 10)).isEqualTo(1);
        assertThat(policy.recovered(0.5, 2, 10)).isCloseTo(0.7, within(1e-9));
    }

    /** Whatever the answers showed, no second gets more than burst × the window's average, and the pace is never negative. */
    @Property
    void thePaceNeverExceedsTheBurstCeiling(@ForAll @IntRange(min = 1, max = 100_000) int limit,
                                            @ForAll @DoubleRange(min = 0, max = 1) double remainingFraction,
                                            @ForAll @DoubleRange(min = 0, max = 3600) double toReset,
                                            @ForAll @DoubleRange(min = 0.01, max = 3600) double window,
                                            @ForAll @DoubleRange(min = 0, max = 1e6) double refill,
                                            @ForAll BudgetShape shape,
                                            @ForAll @DoubleRange(min = 0, max = 1) double share) {
        var b = new PacingPolicy.Budget(shape, limit, remainingFraction * limit, toReset, window, refill);
        double rate = policy.instanceRate(b, share, 1);
        assertThat(rate).isGreaterThanOrEqualTo(0);
        assertThat(rate).isLessThanOrEqualTo(policy.burst() * limit / window * ShareSource.clamp(share) * (1 + 1e-9));
    }

    /** A window's pace never spends more than its remaining budget before the reset. */
    @Property
    void aWindowsPaceNeverOverspendsItsBudget(@ForAll @IntRange(min = 1, max = 100_000) int limit,
                                              @ForAll @DoubleRange(min = 0, max = 1) double remainingFraction,
                                              @ForAll @DoubleRange(min = 0.01, max = 3600) double toReset,
                                              @ForAll @DoubleRange(min = 0.01, max = 3600) double window) {
        var b = new PacingPolicy.Budget(BudgetShape.WINDOW, limit, remainingFraction * limit, toReset, window, Double.NaN);
        assertThat(policy.keyRate(b) * toReset).isLessThanOrEqualTo(b.remaining() * (1 + 1e-9));
    }
}
