package dev.hostupiso.worker.preflight;

import dev.hostupiso.worker.config.PreflightMode;
import dev.hostupiso.worker.config.WorkerConfig;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The preflight's policy, checked once at start-up.
 *
 * @param maxBytes the largest file HostUp takes: its documentation says 20 GB; the worker refuses
 *                 only what is above 20 GiB (21,474,836,480 bytes), too large under either reading,
 *                 and leaves the band between to HostUp
 */
public record PreflightSettings(PreflightMode mode, int maxRedirects, Duration timeout, AddressGuard guard, long maxBytes) {

    /** 20 GiB. */
    public static final long HOSTUP_MAX_BYTES = 20L * 1024 * 1024 * 1024;

    public PreflightSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(guard, "guard");
        if (maxRedirects < 0 || maxRedirects > 20) {
            throw new IllegalArgumentException("ISO_URL_MAX_REDIRECTS must be 0..20, got " + maxRedirects);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("ISO_URL_PREFLIGHT_TIMEOUT must be above 0 and at most 1m, got " + timeout);
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
    }

    public static PreflightSettings from(WorkerConfig.UrlPreflight config) {
        return new PreflightSettings(config.mode(), config.maxRedirects(), config.timeout(),
                AddressGuard.allowing(config.allow().orElse(List.of())), HOSTUP_MAX_BYTES);
    }
}
