package dev.hostupiso.worker.simulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key rate limit counted by the configured {@link RateWindowModel}: all callers of one key, whichever process they
 * are, share one window. Off (no decision, no headers) until configured.
 */
final class RateLimiter {
    record Config(int limit, long windowMillis, RetryAfterStyle style, RateWindowModel model) {
    }

    record Decision(int limit, boolean exceeded, int remaining, long resetMillis, long retryAfterMillis,
                    RetryAfterStyle style, ResetPrecision precision) {
        /** The reset as the header writes it: rounded up to a whole second (never earlier), or to the millisecond. */
        Instant resetHeaderInstant() {
            return precision.header(resetMillis);
        }

        long retryAfterSeconds() {
            return Math.max(1, (retryAfterMillis + 999) / 1000);
        }

        /** When a refused call could go through, rounded up to a whole second. */
        Instant retryAt(Instant now) {
            return now.plusMillis(retryAfterMillis).plusMillis(999).truncatedTo(ChronoUnit.SECONDS);
        }
    }

    private volatile Config config;
    private volatile ResetPrecision precision = ResetPrecision.SECONDS;

    /** How {@code X-RateLimit-Reset} is written from now on. */
    void precision(ResetPrecision p) {
        precision = java.util.Objects.requireNonNull(p, "precision");
    }
    private final Map<String, RateWindow> windows = new ConcurrentHashMap<>();

    synchronized void configure(Config c) {
        windows.clear();
        config = c;
    }

    /** Counts a call of {@code key}; null while rate limiting is off. */
    Decision hit(String key, Instant now) {
        Config cfg = config;
        if (cfg == null) {
            return null;
        }
        RateWindow w = windows.computeIfAbsent(key, k -> RateWindow.of(cfg.model(), cfg.limit(), cfg.windowMillis()));
        synchronized (w) {
            RateWindow.Decision d = w.hit(now.toEpochMilli());
            return new Decision(d.limit(), d.exceeded(), d.remaining(), d.resetMillis(), d.retryAfterMillis(), cfg.style(),
                    precision);
        }
    }
}
