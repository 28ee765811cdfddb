package dev.hostupiso.worker.job;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Ends a job's wait early when the job is cancelled ({@link JobContext#cancel()}). A cancellation and the wait's
 * own item can race on two threads: the item may already be on its way when the cancellation has failed the wait.
 * Such an item reaches nobody, so it is handed to {@code dropped}: a rate-limiter {@code Permit} that nobody will
 * use is released there, never leaked.
 */
public final class Cancellation {

    private Cancellation() {
    }

    /** {@code uni}, ended early by {@link JobContext#cancel()}; an item that arrives too late is simply dropped. */
    public static <T> Uni<T> of(JobContext ctx, Uni<T> uni) {
        return of(ctx, uni, item -> { });
    }

    /**
     * {@code uni}, ended early by {@link JobContext#cancel()}: its subscription is cancelled (which cancels a timer,
     * releases a reserved slot) and the result fails with {@link JobCancelledException}. Exactly one of these
     * happens to an item of {@code uni}: it is the result, or it goes to {@code dropped}.
     */
    public static <T> Uni<T> of(JobContext ctx, Uni<T> uni, Consumer<? super T> dropped) {
        return Uni.createFrom().emitter(emitter -> {
            Relay<T> relay = new Relay<>(emitter, dropped);
            Runnable unregister = ctx.handOver.whenCancelled(() -> relay.fail(new JobCancelledException(ctx.request().requestId())));
            emitter.onTermination(() -> {
                unregister.run();
                relay.abandon();
            });
            uni.subscribe().withSubscriber(relay);
        });
    }

    /**
     * Passes the wait's outcome on, unless the wait was already ended (cancelled, or its subscriber left). A
     * subscriber of our own: Mutiny's callback subscribers silently ignore an item that arrives after their cancel.
     */
    private static final class Relay<T> implements UniSubscriber<T> {
        private final UniEmitter<? super T> emitter;
        private final Consumer<? super T> dropped;
        private final AtomicBoolean settled = new AtomicBoolean();
        private final AtomicReference<Cancellable> subscription = new AtomicReference<>();

        Relay(UniEmitter<? super T> emitter, Consumer<? super T> dropped) {
            this.emitter = emitter;
            this.dropped = dropped;
        }

        @Override
        public void onSubscribe(UniSubscription s) {
            if (!subscription.compareAndSet(null, s::cancel)) {
                s.cancel(); // ended while subscribing
            }
        }

        @Override
        public void onItem(T item) {
            if (settled.compareAndSet(false, true)) {
                emitter.complete(item);
            } else {
                dropped.accept(item);
            }
        }

        @Override
        public void onFailure(Throwable failure) {
            if (settled.compareAndSet(false, true)) {
                emitter.fail(failure);
            }
        }

        /** The job was cancelled: the wait is stopped and the result is {@code failure}. */
        void fail(Throwable failure) {
            if (settled.compareAndSet(false, true)) {
                stop();
                emitter.fail(failure);
            }
        }

        /** The result was given, or nobody wants it any more. */
        void abandon() {
            settled.set(true);
            stop();
        }

        private void stop() {
            Cancellable c = subscription.getAndSet(() -> { });
            if (c != null) {
                c.cancel();
            }
        }
    }
}
