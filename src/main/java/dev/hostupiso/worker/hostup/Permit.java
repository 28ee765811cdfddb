package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.wire.ApiResponse;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call's slot from the {@link HostUpRateLimiter}. Whoever holds it tells the limiter exactly
 * once how the call ended: answered (the limiter learns the budget from the answer), failed without
 * an answer, or abandoned before it was made. Later calls are ignored, so every path (answer,
 * failure, cancellation racing either) may release it without counting twice.
 */
public final class Permit {

    private final HostUpRateLimiter limiter;
    private final AtomicBoolean released = new AtomicBoolean();

    Permit(HostUpRateLimiter limiter) {
        this.limiter = limiter;
    }

    /** The call got an HTTP answer. */
    public void answered(ApiResponse response) {
        if (released.compareAndSet(false, true)) {
            limiter.answered();
            if (response.status() == 429) {
                limiter.refused();
            }
            limiter.observe(response.rateLimit(), response.date());
        }
    }

    /** The call got no HTTP answer (transport failure). */
    public void failed() {
        if (released.compareAndSet(false, true)) {
            limiter.answered();
        }
    }

    /** The call was abandoned (cancelled) before it was answered. */
    public void cancel() {
        if (released.compareAndSet(false, true)) {
            limiter.cancelled();
        }
    }

    public boolean isReleased() {
        return released.get();
    }
}
