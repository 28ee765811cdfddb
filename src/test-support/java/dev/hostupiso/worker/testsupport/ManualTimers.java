package dev.hostupiso.worker.testsupport;

import dev.hostupiso.worker.timing.Delays;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@link Delays} on a {@link ManualClock}: a wait ends when a test advances the clock past it, so
 * timing tests run in microseconds. A cancelled wait leaves the pending list ({@link #pending()}).
 */
public final class ManualTimers extends Delays {

    private record Timer(Instant due, UniEmitter<? super Void> emitter) {
    }

    private final ManualClock clock;
    private final List<Timer> timers = new ArrayList<>();

    public ManualTimers(ManualClock clock) {
        super(null);
        this.clock = clock;
    }

    @Override
    public Uni<Void> after(Duration delay) {
        if (delay.toMillis() <= 0) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().emitter(emitter -> {
            Timer t = new Timer(clock.instant().plus(delay), emitter);
            synchronized (this) {
                timers.add(t);
            }
            emitter.onTermination(() -> {
                synchronized (this) {
                    timers.remove(t);
                }
            });
        });
    }

    /** Timers not yet fired nor cancelled. */
    public synchronized int pending() {
        return timers.size();
    }

    /** Moves the clock forward by {@code d}, firing every timer that falls due, in order. */
    public void advance(Duration d) {
        Instant end = clock.instant().plus(d);
        while (true) {
            Timer next;
            synchronized (this) {
                next = timers.stream().filter(t -> !t.due().isAfter(end)).min(Comparator.comparing(Timer::due)).orElse(null);
                if (next != null) {
                    timers.remove(next);
                }
            }
            if (next == null) {
                break;
            }
            if (next.due().isAfter(clock.instant())) {
                clock.set(next.due());
            }
            next.emitter().complete(null);
        }
        clock.set(end);
    }
}
