package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.hostup.HostUpRateLimiter.Reservation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * {@link HostUpRateLimiter}'s calendar: the next free slot, the pause after a 429, and the calls granted whose answer
 * has not been seen. Not thread-safe: the limiter holds its own lock around every use.
 */
final class SlotBook {

    /** Slots are booked at most this far ahead (or two paced intervals, when longer). */
    static final Duration LOOKAHEAD = Duration.ofMillis(200);

    /** No wait is longer than this ({@code iso.retry-after-max}). */
    private final Duration ceiling;
    private Instant blockedUntil = Instant.MIN;
    private Instant nextSlot = Instant.MIN;
    /** How far ahead a slot may be booked now. */
    Duration lookahead = LOOKAHEAD;
    /** When the last slot granted starts. */
    Instant lastGrant = Instant.MIN;
    /** Calls granted whose answer (or failure) has not been seen yet; each expires after its lifetime. */
    private final OutstandingPermits permits;
    /** When this instance's calls started. */
    final OwnCallLog own = new OwnCallLog();
    /** The slot of the call whose end was heard of last (the oldest then outstanding); null before any. */
    Instant lastReleasedSlot;
    private final Clock clock;

    SlotBook(Duration ceiling, Duration permitLifetime, Clock clock) {
        this.ceiling = ceiling;
        this.permits = new OutstandingPermits(permitLifetime);
        this.clock = clock;
    }

    /** Calls granted whose answer has not been seen, those past their lifetime not counted. */
    int outstanding() {
        return permits.count(clock.instant());
    }

    /** The earliest a call may start: not before now, the end of a pause, or the next free slot. */
    Instant start(Instant now) {
        return max(now, max(blockedUntil, nextSlot));
    }

    /** The earliest a call may start when nothing is paced: not before now or the end of a pause. */
    Instant unpaced(Instant now) {
        return max(now, blockedUntil);
    }

    /** Books the slot at {@code start}, the next one {@code spacing} later; nothing when it starts after {@code notAfter}. */
    Reservation grant(Instant now, Instant start, Instant notAfter, Duration spacing) {
        if (start.isAfter(notAfter)) {
            return new Reservation(Duration.between(now, start), false, true);
        }
        nextSlot = start.plus(spacing);
        lastGrant = start;
        lookahead = max(LOOKAHEAD, spacing.multipliedBy(2));
        permits.granted(start);
        own.granted(start);
        return new Reservation(Duration.between(now, start), true);
    }

    /** The next free slot no sooner than {@code spacing} after the last one granted (never earlier than booked). */
    void respace(Duration spacing) {
        if (!lastGrant.equals(Instant.MIN)) {
            nextSlot = max(nextSlot, lastGrant.plus(spacing));
        }
    }

    /** Nothing booked: ask again after {@code wait}. */
    static Reservation askAgain(Instant now, Duration wait, Instant notAfter) {
        return new Reservation(wait, false, now.plus(wait).isAfter(notAfter));
    }

    /** {@code at}, but no further from {@code now} than the ceiling. */
    Instant bounded(Instant now, Instant at) {
        return min(at, now.plus(ceiling));
    }

    /** A granted call was answered, failed or abandoned. */
    void released() {
        Instant slot = permits.released();
        if (slot != null) {
            lastReleasedSlot = slot;
        }
    }

    /** After a 429: no call starts before {@code wait} (at most the ceiling) has passed. */
    void pause(Instant now, Duration wait) {
        blockedUntil = max(blockedUntil, now.plus(wait.compareTo(ceiling) > 0 ? ceiling : wait));
    }

    /** Time between two calls at {@code rate} per second, at most the ceiling (0 calls per second: the ceiling). */
    Duration interval(double rate) {
        if (!(rate > 0)) {
            return ceiling;
        }
        double nanos = 1e9 / rate;
        return nanos >= ceiling.toNanos() ? ceiling : Duration.ofNanos((long) nanos);
    }

    @Override
    public String toString() {
        return "outstanding=" + outstanding() + ", nextSlot=" + nextSlot + ", blockedUntil=" + blockedUntil;
    }

    static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
