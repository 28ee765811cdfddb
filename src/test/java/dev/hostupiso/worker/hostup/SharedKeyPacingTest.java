package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.simulator.RateWindowModel;
import dev.hostupiso.worker.simulator.ResetPrecision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three instances' limiters on one key of the simulator's window models (virtual time): each model's budget is used,
 * hardly any call is refused and no second sees much more than the key's average.
 */
class SharedKeyPacingTest {

    @ParameterizedTest
    @EnumSource(RateWindowModel.class)
    void threeInstancesShareOneKeyWithoutA429Storm(RateWindowModel model) {
        SharedKeySimulation.Result r = SharedKeySimulation.run(model, 60, Duration.ofSeconds(10), 3, 10, 50,
                Duration.ofMillis(5), PacingPolicy.DEFAULT);
        System.out.println(r);
        assertThat(r.refusedFraction()).as("429s: %s", r).isLessThanOrEqualTo(0.01);
        // A sliding window is paced from each instance's own calls, not from its resets (rounded up to whole seconds):
        // nothing is lost waiting for them.
        assertThat(r.usedFraction()).as("budget used: %s", r).isGreaterThanOrEqualTo(0.95);
    }

    /**
     * A token bucket starts full and announces as its reset when it will be full again, a fraction of a second ahead:
     * the first answer reads like a tiny window. Neither its first second nor any later one may see more than twice the
     * key's average, for one instance or three (even, skewed, one without partitions), whole-second or millisecond
     * resets.
     */
    @ParameterizedTest
    @EnumSource(ResetPrecision.class)
    void aFullTokenBucketIsNotBurstInItsFirstSecond(ResetPrecision precision) {
        for (double[] shares : new double[][] {{1}, {1 / 3.0, 1 / 3.0, 1 / 3.0}, {0.5, 0.25, 0.25}, {0.5, 0.5, 0}}) {
            SharedKeySimulation.Result r = SharedKeySimulation.run(RateWindowModel.TOKEN_BUCKET, 60, Duration.ofSeconds(10),
                    shares, 5, 100, Duration.ofMillis(5), precision, 300);
            assertThat(r.peakRatio()).as("busiest second, %d instances: %s", shares.length, r).isLessThanOrEqualTo(2);
            assertThat(r.usedFraction()).as("budget used: %s", r).isGreaterThanOrEqualTo(0.95);
            assertThat(r.refusedFraction()).as("429s: %s", r).isLessThanOrEqualTo(0.01);
        }
    }
}
