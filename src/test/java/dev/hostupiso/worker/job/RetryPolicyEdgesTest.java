package dev.hostupiso.worker.job;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The backoff at the ends of its ranges. */
class RetryPolicyEdgesTest {

    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(10));

    @Test
    void aNegativeAttemptCountsAsTheFirst() {
        assertThat(policy.backoff(-5, 0.999)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void randomMustBeInTheHalfOpenUnitInterval() {
        assertThatThrownBy(() -> policy.backoff(1, -0.000_001)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> policy.backoff(1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThat(policy.backoff(1, 0.0)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void theCeilingReachesTheCapExactlyAndStaysThere() {
        RetryPolicy p = new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(64), Duration.ofMinutes(1));
        assertThat(p.backoff(4, 0.5)).isEqualTo(Duration.ofSeconds(17));   // ceiling 32 s
        assertThat(p.backoff(5, 0.5)).isEqualTo(Duration.ofSeconds(33));   // ceiling 64 s = the cap
        assertThat(p.backoff(6, 0.5)).isEqualTo(Duration.ofSeconds(33));   // 128 s, capped
        assertThat(p.backoff(62, 0.5)).isEqualTo(Duration.ofSeconds(33));
        assertThat(p.backoff(63, 0.5)).isEqualTo(Duration.ofSeconds(33));
    }

    @Test
    void aCeilingOneDoublingShortOfAnUnevenCapIsNotRoundedUpToIt() {
        // 2,031 ms × 2^5 = 64,992 ms, just under the 65,000 ms cap: the ceiling is 64,992
        RetryPolicy p = new RetryPolicy(Duration.ofMillis(2_031), Duration.ofMillis(65_000), Duration.ofMinutes(1));
        assertThat(p.backoff(5, 0.5)).isEqualTo(Duration.ofMillis(33_511));
        assertThat(p.backoff(6, 0.5)).isEqualTo(Duration.ofMillis(33_515)); // the cap itself
    }

    @Test
    void aPolicyWhoseCapIsItsInitialDelayNeverVaries() {
        RetryPolicy fixed = new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1));
        assertThat(fixed.backoff(0, 0.9)).isEqualTo(Duration.ofSeconds(5));
        assertThat(fixed.backoff(30, 0.9)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void retryAfterIsKeptUpToItsCeilingInclusive() {
        assertThat(policy.clamp(Duration.ofMinutes(10))).isEqualTo(Duration.ofMinutes(10));
        assertThat(policy.clamp(Duration.ofMinutes(10).plusMillis(1))).isEqualTo(Duration.ofMinutes(10));
        assertThat(policy.clamp(Duration.ZERO)).isEqualTo(Duration.ZERO);
        assertThat(policy.delay(3, Optional.of(Duration.ofSeconds(90)), 0.5)).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void eachBoundIsCheckedOnItsOwn() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(-1), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("initial delay must be positive");
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO))
                .hasMessageContaining("Retry-After ceiling");
        assertThatThrownBy(() -> new RetryPolicy(null, Duration.ofSeconds(1), Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), null, Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), null)).isInstanceOf(NullPointerException.class);
        assertThatCode(() -> new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(1))).doesNotThrowAnyException();
    }
}
