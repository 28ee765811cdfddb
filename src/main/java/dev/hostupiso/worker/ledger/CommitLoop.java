package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.ledger.LedgerWriter.NotOwnerException;
import dev.hostupiso.worker.timing.AsyncLoop;
import io.smallrye.mutiny.Uni;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Commits one batch of a ledger partition's writes: transaction after transaction on the writer's
 * own thread until every write is over, waiting a jittered backoff between two tries of a failed
 * one ({@link LedgerRetry}, on {@link AsyncLoop}: the wait holds no thread).
 */
final class CommitLoop {

    /** The writer the loop commits for. */
    interface Owner {
        /** Whether the writer's assignment still stands: once not, nothing more is committed. */
        boolean isOpen();

        /** The writer is over: fenced, or unsure what it committed; {@code pending} fail with it. */
        void end(RuntimeException cause, String reason, List<LedgerWrite> pending);
    }

    private final LedgerTransaction transaction;
    private final LedgerRetry retry;
    private final Executor writerThread;
    private final Owner owner;

    /** @param writerThread where the transactions run: the writer's own thread, never an event loop */
    CommitLoop(LedgerTransaction transaction, LedgerRetry retry, Executor writerThread, Owner owner) {
        this.transaction = transaction;
        this.retry = retry;
        this.writerThread = writerThread;
        this.owner = owner;
    }

    /** Completes once every write of {@code batch} is over: committed, or failed. */
    Uni<Void> commit(List<LedgerWrite> batch) {
        List<LedgerWrite> pending = new ArrayList<>(batch);
        AtomicInteger retries = new AtomicInteger();
        return AsyncLoop.untilPresent(() -> Uni.createFrom().item(() -> attempt(pending))
                        .runSubscriptionOn(writerThread)
                        .onItem().transformToUni(next -> after(next, retries)))
                .replaceWithVoid();
    }

    private Uni<Optional<Boolean>> after(LedgerTransaction.Next next, AtomicInteger retries) {
        return switch (next) {
            case AT_ONCE -> AsyncLoop.again(Uni.createFrom().voidItem());
            case AFTER_BACKOFF -> AsyncLoop.again(retry.after(retry.delay(retries.getAndIncrement())));
            default -> AsyncLoop.done(Boolean.TRUE);
        };
    }

    private LedgerTransaction.Next attempt(List<LedgerWrite> pending) {
        if (!owner.isOpen()) {
            pending.forEach(w -> w.fail(new NotOwnerException()));
            return LedgerTransaction.Next.DONE;
        }
        if (pending.isEmpty()) {
            return LedgerTransaction.Next.DONE;
        }
        LedgerTransaction.Outcome outcome = transaction.run(pending);
        if (outcome.next() == LedgerTransaction.Next.END) {
            owner.end(outcome.cause(), outcome.reason(), pending);
            return LedgerTransaction.Next.DONE;
        }
        return outcome.next();
    }
}
