package dev.hostupiso.worker.hostup;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The pacing policy at the edges of its ranges: each bound is either in or out, as documented. */
class PacingPolicyBoundsTest {

    private final PacingPolicy policy = PacingPolicy.DEFAULT;

    @Test
    void theRangesIncludeExactlyTheirDocumentedEnds() {
        assertThatCode(() -> new PacingPolicy(1, 0, 0, 0.5, 1)).doesNotThrowAnyException(); // burst 1, gain 0, floor 1 are in
        assertThatCode(() -> new PacingPolicy(1.5, 0.499, 2, 0.999, 0.001)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new PacingPolicy(Double.POSITIVE_INFINITY, 0, 2, 0.5, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy(1.5, -0.001, 2, 0.5, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy(1.5, 0, Double.POSITIVE_INFINITY, 0.5, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy(1.5, 0, Double.NaN, 0.5, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy(1.5, 0, 2, 0, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy(1.5, 0, 2, 0.5, 1.001)).isInstanceOf(IllegalArgumentException.class);
        assertThat(PacingPolicy.withBurst(3)).isEqualTo(new PacingPolicy(3, 0, 2, 0.5, 0.125));
    }

    @Test
    void aBudgetMustBeConsistent() {
        assertThatCode(() -> new PacingPolicy.Budget(BudgetShape.WINDOW, 1, 0, 0, 0.001, Double.NaN)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new PacingPolicy.Budget(BudgetShape.WINDOW, 0, 0, 1, 1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy.Budget(BudgetShape.WINDOW, 1, -0.1, 1, 1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy.Budget(BudgetShape.WINDOW, 1, 0, -0.1, 1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy.Budget(BudgetShape.WINDOW, 1, 0, 1, 0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingPolicy.Budget(BudgetShape.WINDOW, 1, 0, 1, Double.NaN, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneCallLeftInAWindowIsSpentAndLessIsNot() {
        assertThat(policy.keyRate(new PacingPolicy.Budget(BudgetShape.WINDOW, 60, 1, 10, 60, Double.NaN))).isCloseTo(0.1, within(1e-12));
        assertThat(policy.keyRate(new PacingPolicy.Budget(BudgetShape.WINDOW, 60, 0.999, 10, 60, Double.NaN))).isZero();
    }

    @Test
    void aResetDueNowSpreadsOverAMillisecondAndTheBurstCeilingHolds() {
        // 30 left, reset now: the spread is 30 per ms, so the burst ceiling (1.5 × 60/60 s) decides
        assertThat(policy.keyRate(new PacingPolicy.Budget(BudgetShape.WINDOW, 60, 30, 0, 60, Double.NaN))).isCloseTo(1.5, within(1e-12));
        // under the ceiling the spread decides: 1 call over 2 s
        assertThat(policy.keyRate(new PacingPolicy.Budget(BudgetShape.WINDOW, 600, 1, 2, 60, Double.NaN))).isCloseTo(0.5, within(1e-12));
        assertThat(policy.keyRate(new PacingPolicy.Budget(BudgetShape.UNKNOWN, 600, 1, 2, 60, Double.NaN))).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void aContinuousBudgetIsSteeredByWhatIsLeft() {
        PacingPolicy p = new PacingPolicy(4, 0.25, 2, 0.5, 0.125);
        // average 1/s; full: 1 × (1 + 2 × (1 - 0.25)) = 2.5
        assertThat(p.keyRate(new PacingPolicy.Budget(BudgetShape.CONTINUOUS, 60, 60, 60, 60, Double.NaN))).isCloseTo(2.5, within(1e-12));
        // empty, reset far: never below the low mark max(0.25, 1 - 2 × 0.25) = 0.5 of the average
        assertThat(p.keyRate(new PacingPolicy.Budget(BudgetShape.CONTINUOUS, 60, 0, 600, 60, Double.NaN))).isCloseTo(0.5, within(1e-12));
        // a big reserve: the low mark is a quarter of the average
        PacingPolicy reserved = new PacingPolicy(4, 0.45, 2, 0.5, 0.125);
        assertThat(reserved.keyRate(new PacingPolicy.Budget(BudgetShape.CONTINUOUS, 60, 0, 600, 60, Double.NaN))).isCloseTo(0.25, within(1e-12));
        // the refill rate, when known and lower, is the average
        assertThat(p.sustainable(new PacingPolicy.Budget(BudgetShape.CONTINUOUS, 60, 0, 600, 60, 0.5))).isCloseTo(0.5, within(1e-12));
        assertThat(p.sustainable(new PacingPolicy.Budget(BudgetShape.CONTINUOUS, 60, 0, 600, 60, 0))).isCloseTo(1, within(1e-12));
        assertThat(p.sustainable(new PacingPolicy.Budget(BudgetShape.WINDOW, 60, 0, 600, 60, 0.5))).isCloseTo(1, within(1e-12));
    }

    @Test
    void chunksMeanARefillAboveTwiceTheAverage() {
        assertThat(policy.returnsInChunks(new PacingPolicy.Budget(BudgetShape.CONTINUOUS, 60, 0, 1, 60, 2.0))).isFalse();
        assertThat(policy.returnsInChunks(new PacingPolicy.Budget(BudgetShape.CONTINUOUS, 60, 0, 1, 60, 2.001))).isTrue();
    }

    @Test
    void theAimdFactorStaysBetweenTheFloorAndOne() {
        var b = new PacingPolicy.Budget(BudgetShape.WINDOW, 60, 60, 60, 60, Double.NaN);
        double full = policy.instanceRate(b, 1, 1);
        assertThat(policy.instanceRate(b, 1, 3)).isEqualTo(full);
        assertThat(policy.instanceRate(b, 1, 0)).isCloseTo(full * policy.floor(), within(1e-12));
        assertThat(policy.afterRefusal(0.25)).isEqualTo(0.125);
        assertThat(policy.recovered(0.5, 0, 10)).isEqualTo(0.5);
        assertThat(policy.recovered(0.5, -1, 10)).isEqualTo(0.5);
        assertThat(policy.recovered(0.25, 1, 10)).isCloseTo(0.35, within(1e-12));
    }
}
