package dev.hostupiso.worker.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.hostup.ApiKeyState;
import dev.hostupiso.worker.hostup.ApiResponse;
import dev.hostupiso.worker.hostup.HostUpClient.TransportException;
import dev.hostupiso.worker.hostup.HostUpRateLimiter;
import dev.hostupiso.worker.hostup.Problem;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Makes one logical HostUp call survive what is transient: 429, 5xx, 408, {@code 409
 * vps_not_ready}/{@code upstream_failed}, timeouts and connection errors are retried with backoff
 * (or {@code Retry-After}) until the request's deadline; then the job fails with the last error,
 * marked retryable. A 401 is retried without limit while {@link ApiKeyState} holds intake (the
 * operator must fix the key; the requester did nothing wrong). Every other answer, success or not,
 * is handed back for the caller to interpret.
 */
@ApplicationScoped
public class RetryingCaller {

    private static final Set<String> TRANSIENT_409 = Set.of("vps_not_ready", "upstream_failed");

    private final Backoff backoff;
    private final HostUpRateLimiter limiter;
    private final ApiKeyState keyState;
    private final WorkerMetrics metrics;
    private final ObjectMapper mapper;

    public RetryingCaller(Backoff backoff, HostUpRateLimiter limiter, ApiKeyState keyState, WorkerMetrics metrics,
                          ObjectMapper mapper) {
        this.backoff = backoff;
        this.limiter = limiter;
        this.keyState = keyState;
        this.metrics = metrics;
        this.mapper = mapper;
    }

    /** A call that is not idempotent: an ambiguous answer fails with {@link AmbiguousSubmitException}. */
    public Uni<ApiResponse> submit(JobContext ctx, Supplier<Uni<ApiResponse>> call) {
        return call(ctx, call);
    }

    public Uni<ApiResponse> call(JobContext ctx, Supplier<Uni<ApiResponse>> call) {
        Attempts attempts = new Attempts();
        return AsyncLoop.untilPresent(() -> attempt(ctx, call, attempts));
    }

    /** Consecutive transient failures and 401s of one logical call. */
    private static final class Attempts {
        int failures;
        int rejections;
    }

    /** One try: present when the answer is final, empty once the wait before the next try is over. */
    private Uni<Optional<ApiResponse>> attempt(JobContext ctx, Supplier<Uni<ApiResponse>> call, Attempts attempts) {
        return Uni.createFrom().deferred(() -> {
            ctx.ensureActive();
            return call.get();
        }).onItemOrFailure().transformToUni((response, failure) -> {
            if (failure != null) {
                if (!(failure instanceof TransportException te)) { // cancellation and bugs end the job
                    return Uni.createFrom().failure(failure);
                }
                ctx.lastTransientError = JobError.of(te.isTimeout() ? "timeout" : "connection_error",
                        te.isTimeout() ? "HostUp did not answer in time" : "Could not reach HostUp", te.getMessage(), true);
                Log.warnf("%s %s; retrying", ctx.tag(), te.getMessage());
                return retry(ctx, attempts, Optional.empty(), false);
            }
            if (response.status() == 401) {
                keyState.rejected();
                return backoff.sleep(backoff.backoff(attempts.rejections++)).replaceWith(Optional.empty());
            }
            keyState.accepted();
            int s = response.status();
            if (!(s == 429 || s == 408 || s >= 500 || s == 409)) {
                return Uni.createFrom().item(Optional.of(response));
            }
            Problem problem = Problem.from(response, mapper); // read once, also to tell a transient 409
            if (s == 409 && !TRANSIENT_409.contains(problem.code())) {
                return Uni.createFrom().item(Optional.of(response));
            }
            ctx.lastTransientError = JobError.fromProblem(problem, true);
            Optional<Duration> retryAfter = backoff.retryAfter(response)
                    .or(() -> problem.legacyRetryAfterSeconds().map(Duration::ofSeconds));
            Log.warnf("%s HostUp answered %d %s on %s; retrying", ctx.tag(), response.status(), problem.code(),
                    response.endpoint().tag());
            return retry(ctx, attempts, retryAfter, response.status() == 429);
        });
    }

    private Uni<Optional<ApiResponse>> retry(JobContext ctx, Attempts attempts, Optional<Duration> retryAfter,
                                             boolean rateLimited) {
        Duration wait = backoff.delay(attempts.failures, retryAfter);
        if (!backoff.fits(wait, ctx.deadline())) {
            return Uni.createFrom().failure(new JobFailure(ctx.lastTransientError));
        }
        retryAfter.ifPresent(ra -> metrics.retryAfterWait(wait));
        attempts.failures++;
        attempts.rejections = 0;
        if (rateLimited) {
            // The key is over its limit: every call of the process waits, via the shared limiter.
            limiter.pauseFor(wait);
            return Uni.createFrom().item(Optional.empty());
        }
        return backoff.sleep(wait).replaceWith(Optional.empty());
    }
}
