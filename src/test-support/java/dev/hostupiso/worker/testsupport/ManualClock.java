package dev.hostupiso.worker.testsupport;

import dev.hostupiso.worker.simulator.SimulatorOptions;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A thread-safe, manually advanced UTC clock for deterministic simulator tests
 * ({@link SimulatorOptions.Builder#clock(Clock)}): job progress and rate-limit windows follow it.
 * Note: the HTTP {@code Date} header is always written by the JDK server from the real wall clock.
 */
public final class ManualClock extends Clock {
    private final AtomicReference<Instant> now;

    /** A clock standing at {@code start}. */
    public ManualClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** A clock standing at the current real time, truncated to whole seconds. */
    public ManualClock() {
        this(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
    }

    /** Moves the clock forward (or backward, for a negative duration) and returns the new instant. */
    public Instant advance(Duration d) {
        return now.updateAndGet(t -> t.plus(d));
    }

    /** Sets the clock to {@code instant}. */
    public void set(Instant instant) {
        now.set(instant);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new UnsupportedOperationException("ManualClock is UTC only");
    }
}
