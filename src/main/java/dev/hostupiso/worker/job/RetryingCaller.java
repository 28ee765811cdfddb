package dev.hostupiso.worker.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.hostup.Account;
import dev.hostupiso.worker.hostup.ApiKeyState;
import dev.hostupiso.worker.hostup.ApiResponse;
import dev.hostupiso.worker.hostup.HostUpApi;
import dev.hostupiso.worker.hostup.HostUpClient.TransportException;
import dev.hostupiso.worker.hostup.HostUpRateLimiter.PastDeadlineException;
import dev.hostupiso.worker.hostup.Permit;
import dev.hostupiso.worker.hostup.Problem;
import dev.hostupiso.worker.hostup.RetryAfter;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.timing.Delays;
import org.jboss.logging.Logger;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Makes one logical HostUp call survive what is transient: 429, 5xx, 408, {@code 409
 * vps_not_ready}/{@code upstream_failed}, timeouts and connection errors are retried with backoff
 * (or {@code Retry-After}) until the request's deadline; then the job fails with the last error,
 * marked retryable. Every other answer, success or not, is handed back for the caller to interpret.
 * <p>
 * Every call first takes a {@link Permit} of its account's rate limiter (HostUp limits per key),
 * bounded by the job's deadline, and releases it with the answer. Every wait (for the limiter, a
 * backoff, a hold) ends early when the job is cancelled ({@link JobContext#cancel()}) or its Uni is,
 * and never reaches past the job's deadline: a wait that would fails the call with the job's last
 * transient error (or {@code job_timeout}).
 * <p>
 * Problems with the API key ({@link ApiKeyState}, one per account) never fail a request before its
 * deadline: a 401, or 403s once they hold the key, are retried with backoff until an answer shows the
 * key working. A call of an account whose key is held, that did not meet the hold itself, is parked:
 * it waits for the hold to lift (or the wait ceiling, then it probes the key itself) instead of
 * adding one more refused call.
 * <p>
 * A 403 that does not (yet) hold intake is not final at once either, because the first 403s of an
 * IP-restriction storm arrive before the storm is recognised: it waits until a call shows the key
 * working (then the 403 is that VPS's: {@code forbidden}), or {@code iso.forbidden-hold.confirmation}
 * passes without a hold (also {@code forbidden}), or a hold starts (then it is held and retried).
 * <p>
 * {@link Idempotency#NONE} (from-url) retries only answers that prove HostUp did not act (401, 403,
 * 408, 429, 400, 409 {@code vps_not_ready}, a 503 problem from HostUp itself, a connection never
 * made); an ambiguous one fails at once with {@link AmbiguousSubmitException}. Before the first such
 * call after start-up or a hold, one ISO library read checks that the key can read what it queues.
 */
@ApplicationScoped
public class RetryingCaller {

    private static final Logger LOG = Logger.getLogger(RetryingCaller.class);

    private static final Set<String> TRANSIENT_409 = Set.of("vps_not_ready", "upstream_failed");

    private final Backoff backoff;
    private final Delays delays;
    private final Clock clock;
    private final WorkerMetrics metrics;
    private final ObjectMapper mapper;
    private final BiFunction<Account, String, Uni<ApiResponse>> libraryRead;
    private final Duration forbiddenConfirmation;
    /** The ISO library read in progress that checks the key's read scope, shared by concurrent submissions. */
    private final Duration parkCeiling;
    /** Per account: the ISO library read in progress that checks the key's read scope. */
    private final Map<String, Uni<Void>> scopeChecks = new HashMap<>();

    @Inject
    public RetryingCaller(Backoff backoff, Delays delays, Clock clock, WorkerMetrics metrics, ObjectMapper mapper,
                          HostUpApi client, WorkerConfig config) {
        this(backoff, delays, clock, metrics, mapper, client::isoLibrary, config.forbiddenHold().confirmation(),
                config.retryAfterMax());
    }

    RetryingCaller(Backoff backoff, Delays delays, Clock clock, WorkerMetrics metrics, ObjectMapper mapper,
                   BiFunction<Account, String, Uni<ApiResponse>> libraryRead, Duration forbiddenConfirmation,
                   Duration parkCeiling) {
        this.backoff = backoff;
        this.delays = delays;
        this.clock = clock;
        this.parkCeiling = parkCeiling;
        this.metrics = metrics;
        this.mapper = mapper;
        this.libraryRead = libraryRead;
        this.forbiddenConfirmation = forbiddenConfirmation;
    }

    /** An idempotent call (poll, ISO library read). */
    public Uni<ApiResponse> call(JobContext ctx, Supplier<Uni<ApiResponse>> call) {
        return call(ctx, call, Idempotency.IDEMPOTENT);
    }

    public Uni<ApiResponse> call(JobContext ctx, Supplier<Uni<ApiResponse>> call, Idempotency idempotency) {
        Uni<ApiResponse> loop = Uni.createFrom().deferred(() -> {
            Attempts attempts = new Attempts();
            return AsyncLoop.untilPresent(() -> unparked(ctx, attempts).onItem()
                            .transformToUni(x -> attempt(ctx, call, attempts, idempotency)))
                    .onTermination().invoke(attempts::leaveHold);
        });
        return idempotency == Idempotency.NONE ? readScopeChecked(ctx).onItem().transformToUni(x -> loop) : loop;
    }

    /**
     * Before a try: while the account's key is held by other calls, wait for the hold to lift, at most
     * the park ceiling (then this call probes the key itself) and never past the deadline.
     */
    private Uni<Void> unparked(JobContext ctx, Attempts attempts) {
        ApiKeyState keyState = ctx.account().keyState();
        if (attempts.hold != null || !keyState.isRejected()) {
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.instant();
        if (!now.isBefore(ctx.deadline())) {
            return Uni.createFrom().failure(new JobFailure(lastErrorOrTimeout(ctx, "the account's API key was held until the deadline")));
        }
        Duration wait = min(parkCeiling, Duration.between(now, ctx.deadline()));
        JobLog.info(LOG, ctx, "account %s's API key is held (%s): waiting for it", ctx.account().name(),
                keyState.hold().map(ApiKeyState.Reason::tag).orElse("?"));
        Runnable parked = keyState.parkedCall();
        Uni<Void> accepted = Uni.createFrom().emitter(emitter -> {
            Runnable unregister = keyState.whenAccepted(() -> emitter.complete(null));
            emitter.onTermination(unregister);
        });
        Uni<Void> first = Uni.combine().any().of(accepted, delays.after(wait).replaceWithVoid());
        return cancellable(ctx, first).onTermination().invoke(parked);
    }

    /** Consecutive transient failures and key holds of one logical call. */
    private static final class Attempts {
        int failures;
        int rejections;
        Runnable hold;

        void enterHold(ApiKeyState keyState) {
            if (hold == null) {
                hold = keyState.heldCall();
            }
        }

        void leaveHold() {
            if (hold != null) {
                hold.run();
                hold = null;
            }
        }
    }

    /**
     * One try: present when the answer is final, empty once the wait before the next try is over.
     * A transient answer or transport error becomes a {@link TransientFailure}, retried here.
     */
    private Uni<Optional<ApiResponse>> attempt(JobContext ctx, Supplier<Uni<ApiResponse>> call, Attempts attempts,
                                               Idempotency idempotency) {
        return permitted(ctx, call)
                .onItemOrFailure().transformToUni((response, failure) -> failure != null
                        ? Uni.createFrom().failure(unanswered(ctx, failure, idempotency))
                        : answered(ctx, attempts, response, idempotency))
                .onFailure(TransientFailure.class).recoverWithUni(f -> retry(ctx, attempts, (TransientFailure) f));
    }

    /** A call without an HTTP answer: what it fails with. */
    private Throwable unanswered(JobContext ctx, Throwable failure, Idempotency idempotency) {
        if (failure instanceof PastDeadlineException) {
            String detail = "HostUp's rate limit leaves no call before the request's deadline";
            JobLog.warn(LOG, ctx, detail);
            return new JobFailure(lastErrorOrTimeout(ctx, detail));
        }
        if (!(failure instanceof TransportException te)) { // cancellation and bugs end the job
            return failure;
        }
        JobError error = JobError.of(te.isTimeout() ? "timeout" : "connection_error",
                te.isTimeout() ? "HostUp did not answer in time" : "Could not reach HostUp", te.getMessage(), true);
        if (idempotency == Idempotency.NONE && te.mayHaveBeenSent()) {
            return new AmbiguousSubmitException(error, te);
        }
        return new TransientFailure(te.getMessage(), error, Optional.empty(), false);
    }

    /** An HTTP answer: final, held (key problems), or a {@link TransientFailure}. */
    private Uni<Optional<ApiResponse>> answered(JobContext ctx, Attempts attempts, ApiResponse response,
                                                Idempotency idempotency) {
        int s = response.status();
        if (s == 401) {
            ctx.account().keyState().unauthorized();
            return held(ctx, attempts, JobError.fromProblem(Problem.from(response, mapper), true));
        }
        if (s == 403) {
            ApiKeyState keyState = ctx.account().keyState();
            keyState.forbidden(ctx.request().vpsId(), response.endpoint());
            if (keyState.isRejected()) {
                return held(ctx, attempts, JobError.fromProblem(Problem.from(response, mapper), true));
            }
            attempts.leaveHold();
            return confirmForbidden(ctx, attempts, response);
        }
        ctx.account().keyState().answered(response.endpoint(), s);
        attempts.leaveHold();
        if (!(s == 429 || s == 408 || s >= 500 || s == 409)) {
            return AsyncLoop.done(response);
        }
        Problem problem = Problem.from(response, mapper); // read once, also to tell a transient 409
        if (s == 409 && !TRANSIENT_409.contains(problem.code())) {
            return AsyncLoop.done(response);
        }
        JobError error = JobError.fromProblem(problem, true);
        if (idempotency == Idempotency.NONE && ambiguous(response, problem)) {
            JobLog.warn(LOG, ctx, "HostUp answered %d %s on %s: it may have acted, not repeating it", s,
                    problem.code(), response.endpoint().tag());
            return Uni.createFrom().failure(new AmbiguousSubmitException(error, null));
        }
        Optional<Duration> retryAfter = RetryAfter.of(response, clock.instant())
                .or(() -> problem.legacyRetryAfterSeconds().map(Duration::ofSeconds));
        return Uni.createFrom().failure(new TransientFailure("HostUp answered " + s + " " + problem.code() + " on "
                + response.endpoint().tag(), error, retryAfter, s == 429));
    }

    /**
     * Whether a transient-looking answer to a non-idempotent call leaves open that HostUp acted on
     * it. 429, 408 and {@code 409 vps_not_ready} are refusals; a 503 that is HostUp's own problem
     * answer is a refusal too. Other 5xx (a proxy's page, a crash after queueing) and {@code 409
     * upstream_failed} are not.
     */
    static boolean ambiguous(ApiResponse response, Problem problem) {
        int s = response.status();
        if (s == 409) {
            return !"vps_not_ready".equals(problem.code());
        }
        if (s == 503) {
            return !response.contentType().map(ct -> ct.toLowerCase().contains("problem+json")).orElse(false);
        }
        return s >= 500;
    }

    /** Waits for a rate-limiter slot (cancellable, bounded by the deadline), makes the call, releases the slot. */
    private Uni<ApiResponse> permitted(JobContext ctx, Supplier<Uni<ApiResponse>> call) {
        AtomicReference<Permit> permit = new AtomicReference<>();
        return Uni.createFrom().deferred(() -> {
                    ctx.ensureActive();
                    // A permit granted as the job is cancelled reaches nobody: released, not leaked.
                    return Cancellation.of(ctx, ctx.account().limiter().acquire(ctx.deadline()), Permit::cancel);
                })
                .onItem().transformToUni(p -> {
                    permit.set(p);
                    ctx.ensureActive(); // handed over while waiting: the call is never made
                    return call.get().onItemOrFailure().invoke((r, f) -> {
                        if (f == null) {
                            p.answered(r);
                        } else {
                            p.failed();
                        }
                    });
                })
                .onFailure().invoke(f -> releaseUnused(permit))
                .onCancellation().invoke(() -> releaseUnused(permit));
    }

    private static void releaseUnused(AtomicReference<Permit> permit) {
        Permit p = permit.get();
        if (p != null) {
            p.cancel(); // no-op once answered or failed
        }
    }

    /**
     * The key is held: wait with backoff, never past the deadline, then try again. At the deadline
     * the call fails with the key's error (retryable: the requester did nothing wrong).
     */
    private Uni<Optional<ApiResponse>> held(JobContext ctx, Attempts attempts, JobError error) {
        ctx.lastTransientError = error;
        attempts.enterHold(ctx.account().keyState());
        Instant now = clock.instant();
        if (!now.isBefore(ctx.deadline())) {
            return Uni.createFrom().failure(new JobFailure(error));
        }
        Duration wait = min(backoff.backoff(attempts.rejections++), Duration.between(now, ctx.deadline()));
        return cancellable(ctx, delays.after(wait)).onItem().transformToUni(x -> clock.instant().isBefore(ctx.deadline())
                ? Uni.createFrom().item(Optional.<ApiResponse>empty())
                : Uni.createFrom().failure(new JobFailure(error)));
    }

    /**
     * A 403 that holds nothing (yet): final once a call shows the key working, or the confirmation
     * period (or the deadline) passes; held and retried if meanwhile enough 403s hold intake.
     */
    private Uni<Optional<ApiResponse>> confirmForbidden(JobContext ctx, Attempts attempts, ApiResponse response) {
        ApiKeyState keyState = ctx.account().keyState();
        long proofsAt = keyState.proofs();
        Instant confirmAt = clock.instant().plus(forbiddenConfirmation);
        Instant until = confirmAt.isBefore(ctx.deadline()) ? confirmAt : ctx.deadline();
        // Inner loop: present (final answer, or empty for "call again") once the 403 is settled.
        return AsyncLoop.untilPresent(() -> {
            if (keyState.isRejected()) {
                return held(ctx, attempts, JobError.fromProblem(Problem.from(response, mapper), true)).map(Optional::of);
            }
            Instant now = clock.instant();
            if (keyState.proofs() > proofsAt || !now.isBefore(until)) {
                return AsyncLoop.done(Optional.of(response));
            }
            return AsyncLoop.again(cancellable(ctx, delays.after(min(backoff.initialDelay(), Duration.between(now, until)))));
        });
    }

    /** Waits as the transient failure asks (or backs off), never past the deadline, then tries again. */
    private Uni<Optional<ApiResponse>> retry(JobContext ctx, Attempts attempts, TransientFailure failure) {
        ctx.lastTransientError = failure.error();
        Duration wait = backoff.delay(attempts.failures, failure);
        if (clock.instant().plus(wait).isAfter(ctx.deadline())) {
            return Uni.createFrom().failure(new JobFailure(failure.error()));
        }
        JobLog.warn(LOG, ctx, "%s; retrying", failure.getMessage());
        failure.retryAfter().ifPresent(ra -> metrics.retryAfterWait(wait));
        attempts.failures++;
        attempts.rejections = 0;
        if (failure.rateLimited()) {
            // The key is over its limit: every call of the account waits, via its limiter.
            ctx.account().limiter().pauseFor(wait);
            return Uni.createFrom().item(Optional.empty());
        }
        return AsyncLoop.again(cancellable(ctx, delays.after(wait)));
    }

    /**
     * Before the first non-idempotent call after start-up or a hold: one ISO library read of this
     * request's VPS, so that a key without {@code read:vm} is held ({@code missing_scope}) before it
     * queues downloads it could never resolve. Concurrent submissions wait for the one read in
     * progress instead of each making their own; if it ends without settling the question (its job
     * was cancelled, its VPS unknown), the next submission reads again.
     */
    private Uni<Void> readScopeChecked(JobContext ctx) {
        Account account = ctx.account();
        return AsyncLoop.untilPresent(() -> {
            if (account.keyState().readScopeProven()) {
                return AsyncLoop.done(Boolean.TRUE);
            }
            Uni<Void> shared;
            synchronized (this) {
                shared = scopeChecks.get(account.name());
                if (shared == null) {
                    Uni<Void> check = call(ctx, () -> {
                                ctx.isoListCalls++; // the request whose submission made the check pays for it
                                return libraryRead.apply(account, ctx.request().vpsId());
                            }, Idempotency.IDEMPOTENT)
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
            return AsyncLoop.again(cancellable(ctx, shared.onFailure().recoverWithNull()));
        }).replaceWithVoid();
    }

    private static JobError lastErrorOrTimeout(JobContext ctx, String detail) {
        return ctx.lastTransientError != null ? ctx.lastTransientError
                : JobError.of("job_timeout", "The request's deadline passed", detail, true);
    }

    /** {@code uni}, ended early by {@link JobContext#cancel()} ({@link Cancellation}). */
    static <T> Uni<T> cancellable(JobContext ctx, Uni<T> uni) {
        return Cancellation.of(ctx, uni, item -> { });
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
