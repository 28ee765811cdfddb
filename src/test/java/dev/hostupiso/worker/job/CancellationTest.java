package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.IsoRequest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.smallrye.mutiny.operators.AbstractUni;
import io.smallrye.mutiny.subscription.UniSubscriber;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Cancellation}: a wait's item either is the result or is handed back, whatever races it. */
class CancellationTest {

    /**
     * A wait whose item is already on its way on another thread: cancelling its subscription no longer stops it,
     * the item arrives when {@link #deliver} is called (what a timer that just fired does).
     */
    private static final class InFlight extends AbstractUni<String> {
        final AtomicReference<UniSubscriber<? super String>> subscriber = new AtomicReference<>();

        @Override
        public void subscribe(UniSubscriber<? super String> s) {
            subscriber.set(s);
            s.onSubscribe(() -> { }); // too late to cancel
        }

        void deliver(String item) {
            subscriber.get().onItem(item);
        }
    }

    private static JobContext job() {
        return new JobContext(new IsoRequest("r-1", "vps_a", "https://example.org/x.iso", "x.iso", "none"),
                Instant.EPOCH, Instant.MAX, 0, 1);
    }

    @Test
    void anItemArrivingAfterTheCancellationIsHandedBackNotLost() {
        JobContext ctx = job();
        InFlight wait = new InFlight();
        List<String> dropped = new ArrayList<>();
        var sub = Cancellation.of(ctx, (Uni<String>) wait, dropped::add).subscribe().withSubscriber(UniAssertSubscriber.create());
        ctx.cancel();
        wait.deliver("permit");
        sub.assertFailedWith(JobCancelledException.class);
        assertThat(dropped).containsExactly("permit");
    }

    @Test
    void anItemArrivingAfterTheSubscriberLeftIsHandedBackNotLost() {
        InFlight wait = new InFlight();
        List<String> dropped = new ArrayList<>();
        var sub = Cancellation.of(job(), (Uni<String>) wait, dropped::add).subscribe().withSubscriber(UniAssertSubscriber.create());
        sub.cancel();
        wait.deliver("permit");
        assertThat(dropped).containsExactly("permit");
    }

    @Test
    void anItemBeforeAnyCancellationIsTheResultAndNothingIsHandedBack() {
        JobContext ctx = job();
        InFlight wait = new InFlight();
        List<String> dropped = new ArrayList<>();
        var sub = Cancellation.of(ctx, (Uni<String>) wait, dropped::add).subscribe().withSubscriber(UniAssertSubscriber.create());
        wait.deliver("permit");
        ctx.cancel();
        sub.assertItem("permit");
        assertThat(dropped).isEmpty();
    }
}
