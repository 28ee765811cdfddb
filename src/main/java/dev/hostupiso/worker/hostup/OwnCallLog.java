package dev.hostupiso.worker.hostup;

import java.time.Duration;
import java.time.Instant;

/**
 * When this instance's own calls started, newest last. A sliding window admits a call while fewer than its limit were
 * made in the last window; an instance that never has more than its share of the limit in any window, by its own
 * count, stays within its share without waiting for the server to announce each freed call: its next call may go when
 * its own call that many calls back leaves the window. Not thread-safe: the limiter holds its own lock around every use.
 */
final class OwnCallLog {

    /** Most starts kept: a share of an hour's budget at a few calls per second. */
    static final int CAPACITY = 1 << 16;

    /** The latest starts, a ring: {@code count} of them, the newest at {@code newest}. */
    private Instant[] ring = new Instant[16];
    private int newest = -1;
    private int count;

    /** A call was granted the slot starting at {@code start}. */
    void granted(Instant start) {
        newest = (newest + 1) % ring.length;
        ring[newest] = start;
        count = Math.min(count + 1, ring.length);
    }

    /**
     * When this instance may make another call and still have at most {@code calls} in any span of {@code window}: when
     * its call {@code calls} back leaves it; {@link Instant#MIN} while it has made fewer (or more than are kept).
     */
    Instant freeAt(int calls, Duration window) {
        if (calls < 1) {
            throw new IllegalArgumentException("calls must be at least 1, got " + calls);
        }
        if (calls > ring.length && ring.length < CAPACITY) {
            grow(Math.min(CAPACITY, Integer.highestOneBit(calls - 1) << 1));
        }
        if (count < calls) {
            return Instant.MIN;
        }
        return ring[Math.floorMod(newest - (calls - 1), ring.length)].plus(window);
    }

    /** Room for {@code size} starts, the ones kept so far in the same order. */
    private void grow(int size) {
        Instant[] bigger = new Instant[size];
        for (int i = 0; i < count; i++) {
            bigger[count - 1 - i] = ring[Math.floorMod(newest - i, ring.length)];
        }
        ring = bigger;
        newest = count - 1;
    }

    @Override
    public String toString() {
        return "own calls kept=" + count;
    }
}
