package dev.hostupiso.worker.job;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

import java.util.concurrent.atomic.AtomicReference;

/** Waits and calls of a job that end early, and cleanly, when the job is cancelled. */
final class Cancellation {

    private Cancellation() {
    }

    /**
     * {@code uni}, ended early by {@link JobContext#cancel()}: its subscription is cancelled (which
     * cancels a timer, releases a reserved slot) and the result fails with {@link JobCancelledException}.
     */
    static <T> Uni<T> of(JobContext ctx, Uni<T> uni) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicReference<Cancellable> subscription = new AtomicReference<>();
            Runnable unregister = ctx.whenCancelled(() -> {
                Cancellable c = subscription.getAndSet(() -> { });
                if (c != null) {
                    c.cancel();
                }
                emitter.fail(new JobCancelledException(ctx.request().requestId()));
            });
            emitter.onTermination(() -> {
                unregister.run();
                Cancellable c = subscription.getAndSet(() -> { });
                if (c != null) {
                    c.cancel();
                }
            });
            Cancellable c = uni.subscribe().with(emitter::complete, emitter::fail);
            if (!subscription.compareAndSet(null, c)) {
                c.cancel(); // cancelled while subscribing
            }
        });
    }
}
