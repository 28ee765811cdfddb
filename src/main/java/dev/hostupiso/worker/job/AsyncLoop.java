package dev.hostupiso.worker.job;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Repeats an asynchronous step until it yields a result. Each round is its own subscription,
 * released when it ends: a job that polls for six hours holds one round, not a chain of every past
 * request and response (which a Uni that recursively returns the next round from inside the
 * previous one's {@code transformToUni} would keep reachable until the job ends).
 */
final class AsyncLoop {

    private AsyncLoop() {
    }

    /** Runs {@code round} until it yields a value; a failed round fails the loop. */
    static <T> Uni<T> untilPresent(Supplier<Uni<Optional<T>>> round) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicReference<Cancellable> current = new AtomicReference<>();
            AtomicBoolean ended = new AtomicBoolean();
            emitter.onTermination(() -> {
                ended.set(true);
                Cancellable c = current.get();
                if (c != null) {
                    c.cancel();
                }
            });
            next(round, emitter, current, ended);
        });
    }

    private static <T> void next(Supplier<Uni<Optional<T>>> round, UniEmitter<? super T> emitter,
                                 AtomicReference<Cancellable> current, AtomicBoolean ended) {
        if (ended.get()) {
            return;
        }
        Uni<Optional<T>> uni;
        try {
            uni = round.get();
        } catch (RuntimeException e) {
            emitter.fail(e);
            return;
        }
        // Every round waits on a timer or an HTTP answer, so the next one starts on a fresh stack.
        current.set(uni.subscribe().with(
                result -> {
                    if (result.isPresent()) {
                        emitter.complete(result.get());
                    } else {
                        next(round, emitter, current, ended);
                    }
                },
                emitter::fail));
    }
}
