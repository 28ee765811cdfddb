package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.hostup.HostUpRateLimiter.PastDeadlineException;
import dev.hostupiso.worker.job.AmbiguousSubmitException;
import dev.hostupiso.worker.job.Backoff;
import dev.hostupiso.worker.job.Cancellation;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobFailure;
import dev.hostupiso.worker.job.JobLog;
import dev.hostupiso.worker.job.TransientFailure;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.Problem;
import dev.hostupiso.worker.wire.RetryAfter;
import dev.hostupiso.worker.wire.TransportException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * deadline: a 401, or a 403 the {@link KeyProbe} finds key-wide, holds the call until the probe sees
 * the key work; the account's other calls park meanwhile ({@link KeyHoldWaits}). No waiting call
 * calls HostUp while the key is held. A 403 the probe finds to be one VPS's (the key's VPS list does
 * not name it) is final at once: its request fails {@code forbidden}, nobody else waits.
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
    private final ReadScopeCheck scopeCheck;
    private final KeyHoldWaits keyWaits;

    @Inject
    public RetryingCaller(Backoff backoff, Delays delays, Clock clock, WorkerMetrics metrics, ObjectMapper mapper,
                          HostUpApi client, WorkerConfig config, KeyProbe probe) {
        this(backoff, delays, clock, metrics, mapper,
                (account, vpsId) -> client.send(account, HostUpCalls.isoLibraryRequest(vpsId)), config.forbiddenHold().confirmation(),
                config.retryAfterMax(), probe);
    }

    RetryingCaller(Backoff backoff, Delays delays, Clock clock, WorkerMetrics metrics, ObjectMapper mapper,
                   BiFunction<Account, String, Uni<ApiResponse>> libraryRead, Duration forbiddenConfirmation,
                   Duration parkCeiling, KeyProbe probe) {
        this.backoff = backoff;
        this.delays = delays;
        this.clock = clock;
        this.metrics = metrics;
        this.mapper = mapper;
        this.scopeCheck = new ReadScopeCheck(libraryRead);
        this.keyWaits = new KeyHoldWaits(probe, delays, clock, parkCeiling, forbiddenConfirmation);
    }

    /** An idempotent call (poll, ISO library read). */
    public Uni<ApiResponse> call(JobContext ctx, Supplier<Uni<ApiResponse>> call) {
        return call(ctx, call, Idempotency.IDEMPOTENT);
    }

    public Uni<ApiResponse> call(JobContext ctx, Supplier<Uni<ApiResponse>> call, Idempotency idempotency) {
        Uni<ApiResponse> loop = Uni.createFrom().deferred(() -> {
            Attempts attempts = new Attempts();
            // A call that met a hold waits in held(); any other first waits while the key is held.
            return AsyncLoop.untilPresent(() -> (attempts.hold != null ? Uni.createFrom().item(Boolean.TRUE)
                            : keyWaits.parked(ctx)).onItem()
                            .transformToUni(go -> go ? attempt(ctx, call, attempts, idempotency)
                                    : Uni.createFrom().item(Optional.<ApiResponse>empty())))
                    .onTermination().invoke(attempts::leaveHold);
        });
        return idempotency == Idempotency.NONE
                ? scopeCheck.checked(ctx, read -> call(ctx, read)).onItem().transformToUni(x -> loop) : loop;
    }

    /** Consecutive transient failures and key holds of one logical call. */
    private static final class Attempts {
        int failures;
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
            HostUpCalls.accountOf(ctx).keyState().unauthorized();
            return held(ctx, attempts, response);
        }
        if (s == 403) {
            if (HostUpCalls.accountOf(ctx).keyState().isRejected()) {
                return held(ctx, attempts, response);
            }
            return keyWaits.forbiddenIsFinal(ctx, response).onItem().transformToUni(isFinal -> {
                if (!isFinal) {
                    return held(ctx, attempts, response);
                }
                attempts.leaveHold();
                return AsyncLoop.done(response);
            });
        }
        HostUpCalls.accountOf(ctx).keyState().answered(response.endpoint(), s);
        attempts.leaveHold();
        if (!(s == 429 || s == 408 || s >= 500 || s == 409)) {
            return AsyncLoop.done(response);
        }
        Problem problem = ProblemJson.from(response, mapper); // read once, also to tell a transient 409
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

    /** Whether HostUp may have acted on this answer to a non-idempotent call ({@link ApiResponse#mayHaveActed}). */
    static boolean ambiguous(ApiResponse response, Problem problem) {
        return response.mayHaveActed(problem);
    }

    /** Waits for a rate-limiter slot (cancellable, bounded by the deadline), makes the call, releases the slot. */
    private Uni<ApiResponse> permitted(JobContext ctx, Supplier<Uni<ApiResponse>> call) {
        AtomicReference<Permit> permit = new AtomicReference<>();
        return Uni.createFrom().deferred(() -> {
                    ctx.ensureActive();
                    // A permit granted as the job is cancelled reaches nobody: released, not leaked.
                    return Cancellation.of(ctx, HostUpCalls.accountOf(ctx).limiter().acquire(ctx.deadline()), Permit::cancel);
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

    /** The key is held: the call waits for the hold to lift or its turn to try (see {@link KeyHoldWaits#held}). */
    private Uni<Optional<ApiResponse>> held(JobContext ctx, Attempts attempts, ApiResponse response) {
        attempts.enterHold(HostUpCalls.accountOf(ctx).keyState());
        return keyWaits.held(ctx, JobError.fromProblem(ProblemJson.from(response, mapper), true));
    }

    /** Waits as the transient failure asks (or backs off), never past the deadline, then tries again. */
    private Uni<Optional<ApiResponse>> retry(JobContext ctx, Attempts attempts, TransientFailure failure) {
        ctx.sawTransient(failure.error());
        Duration wait = backoff.delay(attempts.failures, failure);
        if (clock.instant().plus(wait).isAfter(ctx.deadline())) {
            return Uni.createFrom().failure(new JobFailure(failure.error()));
        }
        JobLog.warn(LOG, ctx, "%s; retrying", failure.getMessage());
        failure.retryAfter().ifPresent(ra -> metrics.retryAfterWait(wait));
        attempts.failures++;
        if (failure.rateLimited()) {
            // The key is over its limit: every call of the account waits, via its limiter.
            HostUpCalls.accountOf(ctx).limiter().pauseFor(wait);
            return Uni.createFrom().item(Optional.empty());
        }
        return AsyncLoop.again(cancellable(ctx, delays.after(wait)));
    }

    static JobError lastErrorOrTimeout(JobContext ctx, String detail) {
        return ctx.lastTransientError() != null ? ctx.lastTransientError()
                : JobError.of("job_timeout", "The request's deadline passed", detail, true);
    }

    /** {@code uni}, ended early by {@link JobContext#cancel()} ({@link Cancellation}). */
    static <T> Uni<T> cancellable(JobContext ctx, Uni<T> uni) {
        return Cancellation.of(ctx, uni);
    }
}
