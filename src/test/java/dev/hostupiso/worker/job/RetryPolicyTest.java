package dev.hostupiso.worker.job;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(10));

    @Test
    void firstAttemptWaitsExactlyTheInitialDelay() {
        assertThat(policy.backoff(0, 0.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoff(0, 0.999)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void ceilingDoublesPerAttemptAndJitterSpansFromInitialToCeiling() {
        assertThat(policy.backoff(1, 0.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoff(1, 0.5)).isEqualTo(Duration.ofSeconds(3));   // in [2s, 4s]
        assertThat(policy.backoff(3, 0.5)).isEqualTo(Duration.ofSeconds(9));   // in [2s, 16s]
        assertThat(policy.backoff(3, 0.999_999)).isLessThan(Duration.ofSeconds(16));
    }

    @Test
    void backoffNeverExceedsTheCapEvenForHugeAttempts() {
        assertThat(policy.backoff(5, 0.999_999)).isLessThanOrEqualTo(Duration.ofSeconds(60)); // 64s ceiling capped
        assertThat(policy.backoff(1_000, 0.999_999)).isLessThanOrEqualTo(Duration.ofSeconds(60));
        assertThat(policy.backoff(Integer.MAX_VALUE, 0.5)).isEqualTo(Duration.ofSeconds(31));
    }

    @Test
    void retryAfterOverridesBackoffAndIsClampedToItsCeiling() {
        assertThat(policy.delay(7, Optional.of(Duration.ofSeconds(1)), 0.9)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delay(0, Optional.of(Duration.ofHours(3)), 0.1)).isEqualTo(Duration.ofMinutes(10));
        assertThat(policy.delay(2, Optional.empty(), 0.0)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void invalidPoliciesAreRejectedOnConstruction() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial delay");
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below the initial delay");
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Retry-After ceiling");
        assertThatThrownBy(() -> policy.backoff(1, 1.0)).isInstanceOf(IllegalArgumentException.class);
    }
}
