package dev.hostupiso.worker.job;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Ends a job's wait early when the job is cancelled ({@link JobContext#cancel()}). A cancellation and the wait's
 * own item can race on two threads: the item may already be on its way when the cancellation has failed the wait.
 * Such an item reaches nobody, so it is handed to {@code dropped}: a rate-limiter {@code Permit} that nobody will
 * use is released there, never leaked.
 */
final class Cancellation {

    private Cancellation() {
    }

    /**
     * {@code uni}, ended early by {@link JobContext#cancel()}: its subscription is cancelled (which cancels a timer,
     * releases a reserved slot) and the result fails with {@link JobCancelledException}. Exactly one of these
     * happens to an item of {@code uni}: it is the result, or it goes to {@code dropped}.
     */
    static <T> Uni<T> of(JobContext ctx, Uni<T> uni, Consumer<? super T> dropped) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean settled = new AtomicBoolean();
            AtomicReference<Cancellable> subscription = new AtomicReference<>();
            Runnable stop = () -> {
                Cancellable c = subscription.getAndSet(() -> { });
                if (c != null) {
                    c.cancel();
                }
            };
            Runnable unregister = ctx.whenCancelled(() -> {
                if (settled.compareAndSet(false, true)) {
                    stop.run();
                    emitter.fail(new JobCancelledException(ctx.request().requestId()));
                }
            });
            emitter.onTermination(() -> {
                settled.set(true); // the result was given, or nobody wants it any more
                unregister.run();
                stop.run();
            });
            Cancellable c = uni.subscribe().with(item -> {
                if (settled.compareAndSet(false, true)) {
                    emitter.complete(item);
                } else {
                    dropped.accept(item);
                }
            }, failure -> {
                if (settled.compareAndSet(false, true)) {
                    emitter.fail(failure);
                }
            });
            if (!subscription.compareAndSet(null, c)) {
                c.cancel(); // cancelled while subscribing
            }
        });
    }
}
