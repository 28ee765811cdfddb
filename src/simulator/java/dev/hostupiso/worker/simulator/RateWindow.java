package dev.hostupiso.worker.simulator;

import java.util.ArrayDeque;

/**
 * One key's rate-limit state under a {@link RateWindowModel}. Not thread-safe: the caller holds the key's lock, so all
 * callers of one key, whichever process they are, share one window. Public so that in-JVM tests can drive limiters
 * against exactly the simulator's arithmetic on a virtual clock.
 */
public abstract class RateWindow {

    /**
     * What one call got: {@code remaining} after it was counted, {@code resetMillis} (exact, not rounded) and, for a
     * refused call, {@code retryAfterMillis}.
     */
    public record Decision(int limit, boolean exceeded, int remaining, long resetMillis, long retryAfterMillis) {
    }

    final int limit;
    final long windowMillis;

    RateWindow(int limit, long windowMillis) {
        if (limit <= 0 || windowMillis <= 0) {
            throw new IllegalArgumentException("limit and window must be positive: " + limit + ", " + windowMillis);
        }
        this.limit = limit;
        this.windowMillis = windowMillis;
    }

    public static RateWindow of(RateWindowModel model, int limit, long windowMillis) {
        switch (model) {
            case FIXED:
                return new Fixed(limit, windowMillis);
            case SLIDING:
                return new Sliding(limit, windowMillis);
            case TOKEN_BUCKET:
                return new TokenBucket(limit, windowMillis);
            default:
                throw new IllegalArgumentException(String.valueOf(model));
        }
    }

    /** Counts a call at {@code nowMillis}. */
    public abstract Decision hit(long nowMillis);

    static final class Fixed extends RateWindow {
        private long endMillis;
        private int count;

        Fixed(int limit, long windowMillis) {
            super(limit, windowMillis);
        }

        @Override
        public Decision hit(long t) {
            if (count == 0 || t >= endMillis) {
                endMillis = t + windowMillis;
                count = 0;
            }
            count++;
            boolean exceeded = count > limit;
            return new Decision(limit, exceeded, Math.max(0, limit - count), endMillis, exceeded ? endMillis - t : 0);
        }
    }

    static final class Sliding extends RateWindow {
        /** Accept times of the calls still counted, oldest first. */
        private final ArrayDeque<Long> counted = new ArrayDeque<>();

        Sliding(int limit, long windowMillis) {
            super(limit, windowMillis);
        }

        @Override
        public Decision hit(long t) {
            while (!counted.isEmpty() && counted.peekFirst() + windowMillis <= t) {
                counted.pollFirst();
            }
            boolean exceeded = counted.size() >= limit;
            if (!exceeded) {
                counted.addLast(t);
            }
            long reset = counted.peekFirst() + windowMillis;
            return new Decision(limit, exceeded, limit - counted.size(), reset, exceeded ? reset - t : 0);
        }
    }

    static final class TokenBucket extends RateWindow {
        private double tokens;
        private long lastMillis = Long.MIN_VALUE;

        TokenBucket(int limit, long windowMillis) {
            super(limit, windowMillis);
            tokens = limit;
        }

        /** Tokens per millisecond. */
        private double rate() {
            return limit / (double) windowMillis;
        }

        @Override
        public Decision hit(long t) {
            if (lastMillis != Long.MIN_VALUE && t > lastMillis) {
                tokens = Math.min(limit, tokens + (t - lastMillis) * rate());
            }
            lastMillis = Math.max(lastMillis, t);
            boolean exceeded = tokens < 1;
            if (!exceeded) {
                tokens -= 1;
            }
            long toFull = (long) Math.ceil((limit - tokens) / rate());
            long toNext = exceeded ? Math.max(1, (long) Math.ceil((1 - tokens) / rate())) : 0;
            return new Decision(limit, exceeded, (int) Math.floor(tokens), t + toFull, toNext);
        }
    }
}
