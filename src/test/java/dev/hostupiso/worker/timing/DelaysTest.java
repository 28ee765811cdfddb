package dev.hostupiso.worker.timing;

import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.vertx.mutiny.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Delays}: waits on Vert.x timers, and an abandoned wait leaves no timer behind. */
class DelaysTest {

    /** A real Vert.x that also remembers the timers it was asked to set and to cancel. */
    private static final class RecordingVertx extends Vertx {
        final List<Long> delays = new CopyOnWriteArrayList<>();
        final List<Long> set = new CopyOnWriteArrayList<>();
        final List<Long> cancelled = new CopyOnWriteArrayList<>();

        RecordingVertx() {
            super(io.vertx.core.Vertx.vertx());
        }

        @Override
        public long setTimer(long delay, Consumer<Long> handler) {
            delays.add(delay);
            long id = super.setTimer(delay, handler);
            set.add(id);
            return id;
        }

        @Override
        public boolean cancelTimer(long id) {
            boolean found = super.cancelTimer(id);
            if (found) {
                cancelled.add(id);
            }
            return found;
        }
    }

    private final RecordingVertx vertx = new RecordingVertx();
    private final Delays delays = new Delays(vertx);

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    @Test
    void noWaitAndANegativeWaitEndAtOnceWithoutATimer() {
        delays.after(Duration.ZERO).subscribe().withSubscriber(UniAssertSubscriber.create()).assertCompleted();
        delays.after(Duration.ofMillis(-5)).subscribe().withSubscriber(UniAssertSubscriber.create()).assertCompleted();
        delays.after(Duration.ofNanos(999_999)).subscribe().withSubscriber(UniAssertSubscriber.create())
                .assertCompleted();
        assertThat(vertx.delays).isEmpty();
    }

    @Test
    void aWaitEndsWhenItsTimerFires() {
        var sub = delays.after(Duration.ofMillis(30)).subscribe().withSubscriber(UniAssertSubscriber.create());
        sub.awaitItem(Duration.ofSeconds(10)).assertCompleted();
        assertThat(vertx.delays).containsExactly(30L);
        assertThat(vertx.cancelled).as("a fired timer is not cancelled again").isEmpty();
    }

    @Test
    void anAbandonedWaitCancelsItsTimer() {
        var sub = delays.after(Duration.ofHours(1)).subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(vertx.set).hasSize(1);
        sub.assertNotTerminated();
        sub.cancel();
        assertThat(vertx.cancelled).as("the hour-long timer is gone, not left to fire into nothing")
                .containsExactlyElementsOf(vertx.set);
    }
}
