package dev.hostupiso.worker.simulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key fixed windows: a key's window opens at its first call and lasts the configured length; every call counts
 * (rejected ones too). Off (no decision, no headers) until configured.
 */
final class RateLimiter {
    record Config(int limit, long windowMillis, RetryAfterStyle style) {
    }

    record Decision(int limit, int count, long endMillis, long nowMillis, RetryAfterStyle style) {
        boolean exceeded() {
            return count > limit;
        }

        int remaining() {
            return Math.max(0, limit - count);
        }

        /** Window end rounded up to a whole second (never earlier than the real end). */
        Instant resetHeaderInstant() {
            return Instant.ofEpochMilli(endMillis).plusMillis(999).truncatedTo(ChronoUnit.SECONDS);
        }

        long retryAfterSeconds() {
            return Math.max(1, (endMillis - nowMillis + 999) / 1000);
        }
    }

    private static final class Window {
        long endMillis;
        int count;
    }

    private volatile Config config;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

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
        Window w = windows.computeIfAbsent(key, k -> new Window());
        long t = now.toEpochMilli();
        synchronized (w) {
            if (w.count == 0 || t >= w.endMillis) {
                w.endMillis = t + cfg.windowMillis();
                w.count = 0;
            }
            w.count++;
            return new Decision(cfg.limit(), w.count, w.endMillis, t, cfg.style());
        }
    }
}
