package dev.hostupiso.worker.timing;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The worker's one way to wait and try again: repeats an asynchronous round until it yields a
 * result. A round decides for itself whether it is done ({@link #done}) or, after waiting on a
 * {@link Delays} timer, wants another round ({@link #again}).
 * <p>
 * Each round is its own subscription, released when it ends: a job that polls for six hours holds
 * one round, not a chain of every past request and response (which a Uni that recursively returns
 * the next round from inside the previous one's {@code transformToUni} would keep reachable until
 * the job ends). Cancelling the loop cancels the round in progress (its timer, its call).
 */
public final class AsyncLoop {

    private AsyncLoop() {
    }

    /** Runs {@code round} until it yields a value; a failed round fails the loop. */
    public static <T> Uni<T> untilPresent(Supplier<Uni<Optional<T>>> round) {
        return Uni.createFrom().emitter(emitter -> {
            Loop<T> loop = new Loop<>(round, emitter);
            emitter.onTermination(loop::end);
            loop.next();
        });
    }

    /** A round's answer: the loop ends with {@code value}. */
    public static <T> Uni<Optional<T>> done(T value) {
        return Uni.createFrom().item(Optional.of(value));
    }

    /** A round's answer: another round once {@code wait} completes (typically a {@link Delays} timer). */
    public static <T> Uni<Optional<T>> again(Uni<Void> wait) {
        return wait.replaceWith(Optional.empty());
    }

    /** One running loop: at most one round subscribed at a time. */
    private static final class Loop<T> {
        private final Supplier<Uni<Optional<T>>> round;
        private final UniEmitter<? super T> emitter;
        private final AtomicReference<Cancellable> current = new AtomicReference<>();
        private final AtomicBoolean ended = new AtomicBoolean();
        /** Rounds asked for and not yet started: a round that ends synchronously does not deepen the stack. */
        private final AtomicInteger pending = new AtomicInteger();

        Loop(Supplier<Uni<Optional<T>>> round, UniEmitter<? super T> emitter) {
            this.round = round;
            this.emitter = emitter;
        }

        void next() {
            if (pending.getAndIncrement() != 0) {
                return; // called from inside the round being subscribed: the loop below starts it
            }
            do {
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
                current.set(uni.subscribe().with(this::roundEnded, emitter::fail));
            } while (pending.decrementAndGet() != 0);
        }

        private void roundEnded(Optional<T> result) {
            if (result.isPresent()) {
                emitter.complete(result.get());
            } else {
                next();
            }
        }

        void end() {
            ended.set(true);
            Cancellable c = current.get();
            if (c != null) {
                c.cancel();
            }
        }
    }
}
