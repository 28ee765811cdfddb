package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobFailure;
import dev.hostupiso.worker.job.JobLog;
import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.JobError;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The waits a call makes because of its account's API key ({@link ApiKeyState}). None of them calls
 * HostUp: while a key is held, only the {@link KeyProbe} does, at a bounded rate, so a revoked key
 * meets one refused call per probe interval instead of one per waiting request. Every wait ends
 * early when the job is cancelled and never reaches past its deadline.
 */
final class KeyHoldWaits {

    private static final Logger LOG = Logger.getLogger(KeyHoldWaits.class);

    private final KeyProbe probe;
    private final Delays delays;
    private final Clock clock;
    private final Duration parkCeiling;
    private final Duration forbiddenConfirmation;

    KeyHoldWaits(KeyProbe probe, Delays delays, Clock clock, Duration parkCeiling, Duration forbiddenConfirmation) {
        this.probe = probe;
        this.delays = delays;
        this.clock = clock;
        this.parkCeiling = parkCeiling;
        this.forbiddenConfirmation = forbiddenConfirmation;
    }

    /**
     * Before a try of a call that did not meet the hold itself: while the account's key is held,
     * wait for the hold to lift (looking again after the park ceiling), never past the deadline.
     * Empty: the key is accepted, try now.
     */
    Uni<Boolean> parked(JobContext ctx) {
        ApiKeyState keyState = HostUpCalls.accountOf(ctx).keyState();
        if (!keyState.isRejected()) {
            return Uni.createFrom().item(Boolean.TRUE);
        }
        Instant now = clock.instant();
        if (!now.isBefore(ctx.deadline())) {
            return Uni.createFrom().failure(new JobFailure(RetryingCaller.lastErrorOrTimeout(ctx,
                    "the account's API key was held until the deadline")));
        }
        probe.watch(HostUpCalls.accountOf(ctx));
        JobLog.info(LOG, ctx, "account %s's API key is held (%s): waiting for it", HostUpCalls.accountOf(ctx).name(),
                keyState.hold().map(ApiKeyState.Reason::tag).orElse("?"));
        Runnable parked = keyState.parkedCall();
        Uni<Void> accepted = Uni.createFrom().emitter(emitter -> {
            Runnable unregister = keyState.whenAccepted(() -> emitter.complete(null));
            emitter.onTermination(unregister);
        });
        Duration wait = min(parkCeiling, Duration.between(now, ctx.deadline()));
        Uni<Void> first = Uni.combine().any().of(accepted, delays.after(wait).replaceWithVoid());
        return RetryingCaller.cancellable(ctx, first).onTermination().invoke(parked).replaceWith(Boolean.FALSE);
    }

    /**
     * The call met the hold: wait until it lifts, or the probe lets this call try again (a hold only
     * the refused call can end), never past the deadline; at the deadline the call fails with the
     * key's error (retryable: the requester did nothing wrong). Empty: try again.
     */
    Uni<Optional<ApiResponse>> held(JobContext ctx, JobError error) {
        ctx.sawTransient(error);
        ApiKeyState keyState = HostUpCalls.accountOf(ctx).keyState();
        probe.watch(HostUpCalls.accountOf(ctx));
        Instant now = clock.instant();
        if (!now.isBefore(ctx.deadline())) {
            return Uni.createFrom().failure(new JobFailure(error));
        }
        Uni<Void> turn = Uni.createFrom().emitter(emitter -> {
            Runnable accepted = keyState.whenAccepted(() -> emitter.complete(null));
            Runnable trial = keyState.whenTrial(() -> emitter.complete(null));
            emitter.onTermination(() -> {
                accepted.run();
                trial.run();
            });
        });
        Uni<Void> wait = Uni.combine().any().of(turn, delays.after(Duration.between(now, ctx.deadline())).replaceWithVoid());
        return RetryingCaller.cancellable(ctx, wait).onItem().transformToUni(x -> clock.instant().isBefore(ctx.deadline())
                ? Uni.createFrom().item(Optional.<ApiResponse>empty())
                : Uni.createFrom().failure(new JobFailure(error)));
    }

    /**
     * A 403 while the key is not held: the probe settles it. Present (the 403, final: its request
     * fails {@code forbidden} with HostUp's code) when it is this VPS's, or could not be told within
     * the confirmation period; empty after the probe held the key (the caller holds the call).
     */
    Uni<Boolean> forbiddenIsFinal(JobContext ctx, ApiResponse response) {
        Duration left = Duration.between(clock.instant(), ctx.deadline());
        Duration within = left.isNegative() ? Duration.ZERO : min(forbiddenConfirmation, left);
        return RetryingCaller.cancellable(ctx, probe.classify(HostUpCalls.accountOf(ctx), ctx.request().vpsId(), response.endpoint(),
                        within.isZero() ? Duration.ofMillis(1) : within))
                .map(verdict -> {
                    JobLog.info(LOG, ctx, "HostUp answered 403 on %s; the key's VPS list says %s", response.endpoint().tag(),
                            verdict.name().toLowerCase(java.util.Locale.ROOT));
                    return !HostUpCalls.accountOf(ctx).keyState().isRejected();
                });
    }

    static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
