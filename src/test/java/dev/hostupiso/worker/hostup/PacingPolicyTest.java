package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.testsupport.Coverage;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import static dev.hostupiso.worker.testsupport.Theories.qt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

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
    @Test
    void thePaceNeverExceedsTheBurstCeiling() {
        Gen<PacingPolicy.Budget> budgets = integers().between(1, 100_000).zip(doubles().between(0, 1), doubles().between(0, 3600),
                doubles().between(0.01, 3600), (limit, remainingFraction, toReset, window) -> new double[] {limit, remainingFraction,
                        toReset, window}).zip(doubles().between(0, 1e6), Generate.enumValues(BudgetShape.class),
                (v, refill, shape) -> new PacingPolicy.Budget(shape, (int) v[0], v[1] * v[0], v[2], v[3], refill));
        Coverage coverage = new Coverage("thePaceNeverExceedsTheBurstCeiling");
        qt(1_000).forAll(budgets, doubles().between(0, 1)).checkAssert((b, share) -> {
            coverage.count();
            double rate = policy.instanceRate(b, share, 1);
            assertThat(rate).isGreaterThanOrEqualTo(0);
            assertThat(rate).isLessThanOrEqualTo(policy.burst() * b.limit() / b.windowSeconds() * ShareSource.clamp(share) * (1 + 1e-9));
        });
        coverage.print();
    }

    /** A window's pace never spends more than its remaining budget before the reset. */
    @Test
    void aWindowsPaceNeverOverspendsItsBudget() {
        Coverage coverage = new Coverage("aWindowsPaceNeverOverspendsItsBudget");
        qt(1_000).forAll(integers().between(1, 100_000), doubles().between(0, 1), doubles().between(0.01, 3600), doubles().between(0.01, 3600))
                .checkAssert((limit, remainingFraction, toReset, window) -> {
                    coverage.count();
                    var b = new PacingPolicy.Budget(BudgetShape.WINDOW, limit, remainingFraction * limit, toReset, window, Double.NaN);
                    assertThat(policy.keyRate(b) * toReset).isLessThanOrEqualTo(b.remaining() * (1 + 1e-9));
                });
        coverage.print();
    }
}
