package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.job.Cancellation;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Endpoint;
import io.smallrye.mutiny.Uni;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/** Whether an account's key can read what it queues, checked once per start-up or hold. */
final class ReadScopeCheck {

    private final BiFunction<Account, String, Uni<ApiResponse>> libraryRead;
    /** Per account: the ISO library read in progress that checks the key's read scope. */
    private final Map<String, Uni<Void>> scopeChecks = new HashMap<>();

    ReadScopeCheck(BiFunction<Account, String, Uni<ApiResponse>> libraryRead) {
        this.libraryRead = libraryRead;
    }

    /**
     * Before the first non-idempotent call after start-up or a hold: one ISO library read of this
     * request's VPS, so that a key without {@code read:vm} is held ({@code missing_scope}) before it
     * queues downloads it could never resolve. Concurrent submissions wait for the one read in
     * progress instead of each making their own; if it ends without settling the question (its job
     * was cancelled, its VPS unknown), the next submission reads again.
     */
    Uni<Void> checked(JobContext ctx, Function<Supplier<Uni<ApiResponse>>, Uni<ApiResponse>> caller) {
        Account account = HostUpCalls.accountOf(ctx);
        return AsyncLoop.untilPresent(() -> {
            if (account.keyState().readScopeProven()) {
                return AsyncLoop.done(Boolean.TRUE);
            }
            Uni<Void> shared;
            synchronized (this) {
                shared = scopeChecks.get(account.name());
                if (shared == null) {
                    Uni<Void> check = caller.apply(() -> {
                                ctx.counted(Endpoint.ISO_LIST); // the request whose submission made the check pays for it
                                return libraryRead.apply(account, ctx.request().vpsId());
                            })
                            .replaceWithVoid()
                            .onTermination().invoke(() -> {
                                synchronized (this) {
                                    scopeChecks.remove(account.name());
                                }
                            })
                            .memoize().indefinitely();
                    scopeChecks.put(account.name(), check);
                    return check.replaceWith(Optional.of(Boolean.TRUE));
                }
            }
            return AsyncLoop.again(Cancellation.of(ctx, shared.onFailure().recoverWithNull()));
        }).replaceWithVoid();
    }
}
