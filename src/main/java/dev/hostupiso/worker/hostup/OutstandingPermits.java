package dev.hostupiso.worker.hostup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The calls a {@link HostUpRateLimiter} granted whose end it has not heard of yet. While any is outstanding the
 * limiter holds back the call that would find out what budget came back, so one release that never comes (a bug, a
 * cancellation racing the grant on another thread) would freeze the account until its jobs' deadlines. Each grant
 * therefore expires {@code lifetime} after its slot: longer than any HTTP call may take, so a live call is not
 * forgotten, and short enough that a lost one costs one lifetime of caution, not an outage.
 * <p>
 * Releases take the oldest grant off; which one does not matter for the count, and the oldest is the one that expires
 * first anyway. Not thread-safe: the limiter calls it under its own lock.
 */
final class OutstandingPermits {

    private final Duration lifetime;
    /** When each outstanding grant expires, oldest first (kept ordered). */
    private final Deque<Instant> expiries = new ArrayDeque<>();
    private long expired;

    OutstandingPermits(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("permit lifetime must be positive, got " + lifetime);
        }
        this.lifetime = lifetime;
    }

    /** A call was granted the slot starting at {@code slot}. */
    void granted(Instant slot) {
        Instant expiry = slot.plus(lifetime);
        Instant last = expiries.peekLast();
        expiries.addLast(last != null && last.isAfter(expiry) ? last : expiry);
    }

    /**
     * A granted call was answered, failed or abandoned. Extra releases (of a grant already expired) are ignored. Answers
     * the slot of the grant taken off (the oldest outstanding, so no later than the call that ended), if any.
     */
    Instant released() {
        Instant expiry = expiries.pollFirst();
        return expiry == null ? null : expiry.minus(lifetime);
    }

    /** Grants still outstanding at {@code now}; those past their lifetime are dropped (and counted as expired). */
    int count(Instant now) {
        while (!expiries.isEmpty() && !expiries.peekFirst().isAfter(now)) {
            expiries.pollFirst();
            expired++;
        }
        return expiries.size();
    }

    /** Grants dropped because no release came within their lifetime: each one is a lost release. */
    long expired() {
        return expired;
    }
}
