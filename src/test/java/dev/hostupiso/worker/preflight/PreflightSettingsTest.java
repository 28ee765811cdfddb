package dev.hostupiso.worker.preflight;

import dev.hostupiso.worker.config.PreflightMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link PreflightSettings}: refused at start-up outside their documented ranges, accepted at their edges. */
class PreflightSettingsTest {

    private static PreflightSettings settings(int redirects, Duration timeout, long maxBytes) {
        return new PreflightSettings(PreflightMode.CHECK, redirects, timeout, AddressGuard.strict(), maxBytes);
    }

    @Test
    void redirectsFromZeroToTwenty() {
        assertThatCode(() -> settings(0, Duration.ofSeconds(5), 1)).doesNotThrowAnyException();
        assertThatCode(() -> settings(20, Duration.ofSeconds(5), 1)).doesNotThrowAnyException();
        assertThatThrownBy(() -> settings(-1, Duration.ofSeconds(5), 1)).hasMessageContaining("ISO_URL_MAX_REDIRECTS");
        assertThatThrownBy(() -> settings(21, Duration.ofSeconds(5), 1)).hasMessageContaining("ISO_URL_MAX_REDIRECTS");
    }

    @Test
    void aTimeoutAboveZeroAndAtMostAMinute() {
        assertThatCode(() -> settings(3, Duration.ofNanos(1), 1)).doesNotThrowAnyException();
        assertThatCode(() -> settings(3, Duration.ofMinutes(1), 1)).doesNotThrowAnyException();
        assertThatThrownBy(() -> settings(3, Duration.ofMinutes(1).plusNanos(1), 1))
                .hasMessageContaining("ISO_URL_PREFLIGHT_TIMEOUT");
        assertThatThrownBy(() -> settings(3, Duration.ZERO, 1)).hasMessageContaining("ISO_URL_PREFLIGHT_TIMEOUT");
        assertThatThrownBy(() -> settings(3, null, 1)).hasMessageContaining("ISO_URL_PREFLIGHT_TIMEOUT");
    }

    @Test
    void aPositiveSizeLimit() {
        assertThatCode(() -> settings(3, Duration.ofSeconds(5), 1)).doesNotThrowAnyException();
        assertThatThrownBy(() -> settings(3, Duration.ofSeconds(5), 0)).hasMessageContaining("maxBytes");
    }
}
