package dev.hostupiso.worker.timing;

import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.testsupport.ManualTimers;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link AsyncLoop}: the one way the worker waits and tries again. */
class AsyncLoopTest {

    private final ManualTimers timers = new ManualTimers(new ManualClock());

    @Test
    void roundsRunUntilOneYieldsAValue() {
        AtomicInteger rounds = new AtomicInteger();
        var sub = AsyncLoop.untilPresent(() -> rounds.incrementAndGet() < 3
                        ? AsyncLoop.<String>again(timers.after(Duration.ofSeconds(1)))
                        : AsyncLoop.done("third"))
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        sub.assertNotTerminated();
        timers.advance(Duration.ofSeconds(2));
        sub.assertItem("third");
        assertThat(rounds).hasValue(3);
    }

    @Test
    void roundsThatEndAtOnceDoNotDeepenTheStack() {
        AtomicInteger rounds = new AtomicInteger();
        var sub = AsyncLoop.untilPresent(() -> rounds.incrementAndGet() < 20_000
                        ? AsyncLoop.<Integer>again(Uni.createFrom().voidItem())
                        : AsyncLoop.done(rounds.get()))
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        sub.assertItem(20_000);
    }

    @Test
    void aFinishedRoundIsNotKeptReachableByTheLoop() {
        List<WeakReference<byte[]>> answers = new ArrayList<>();
        AtomicInteger rounds = new AtomicInteger();
        var sub = AsyncLoop.untilPresent(() -> {
            byte[] answer = new byte[1024];
            answers.add(new WeakReference<>(answer));
            return timers.after(Duration.ofSeconds(1)).replaceWith(answer)
                    .map(a -> rounds.incrementAndGet() < 50 ? Optional.<Integer>empty() : Optional.of(a.length));
        }).subscribe().withSubscriber(UniAssertSubscriber.create());
        timers.advance(Duration.ofSeconds(40));
        System.gc();
        assertThat(answers.subList(0, 30)).as("past rounds' answers can be collected while the loop runs")
                .anyMatch(r -> r.get() == null);
        timers.advance(Duration.ofSeconds(20));
        sub.assertItem(1024);
    }

    @Test
    void cancellingTheLoopCancelsTheRoundInProgressAndStartsNoOther() {
        AtomicInteger rounds = new AtomicInteger();
        var sub = AsyncLoop.<String>untilPresent(() -> {
            rounds.incrementAndGet();
            return AsyncLoop.again(timers.after(Duration.ofSeconds(1)));
        }).subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(timers.pending()).isEqualTo(1);
        sub.cancel();
        assertThat(timers.pending()).as("the round's timer was cancelled").isZero();
        timers.advance(Duration.ofMinutes(1));
        assertThat(rounds).hasValue(1);
    }

    @Test
    void aFailedOrThrowingRoundFailsTheLoop() {
        AtomicInteger rounds = new AtomicInteger();
        var failed = AsyncLoop.<String>untilPresent(() -> rounds.incrementAndGet() == 1
                        ? AsyncLoop.again(Uni.createFrom().voidItem())
                        : Uni.createFrom().failure(new IllegalStateException("boom")))
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        failed.assertFailedWith(IllegalStateException.class, "boom");
        assertThat(rounds).hasValue(2);

        var thrown = AsyncLoop.<String>untilPresent(() -> {
            throw new IllegalArgumentException("bad round");
        }).subscribe().withSubscriber(UniAssertSubscriber.create());
        thrown.assertFailedWith(IllegalArgumentException.class, "bad round");
    }

    @Test
    void aLoopCancelledFromInsideARoundThatEndsAtOnceStartsNoFurtherRound() {
        AtomicInteger rounds = new AtomicInteger();
        var holder = new java.util.concurrent.atomic.AtomicReference<UniAssertSubscriber<String>>();
        var sub = AsyncLoop.<String>untilPresent(() -> {
            int round = rounds.incrementAndGet();
            if (round == 3) {
                holder.get().cancel(); // e.g. the job is cancelled by what the round itself did
            }
            // bounded so that a loop which ignored the cancellation still ends
            return round < 1_000 ? AsyncLoop.again(Uni.createFrom().voidItem()) : AsyncLoop.done("too many");
        }).subscribe().withSubscriber(new UniAssertSubscriber<String>() {
            @Override
            public void onSubscribe(io.smallrye.mutiny.subscription.UniSubscription subscription) {
                super.onSubscribe(subscription);
                holder.set(this);
            }
        });
        sub.assertNotTerminated();
        assertThat(rounds).hasValue(3);
    }
}
