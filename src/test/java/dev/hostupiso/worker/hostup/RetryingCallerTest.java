package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.job.AmbiguousSubmitException;
import dev.hostupiso.worker.job.Backoff;
import dev.hostupiso.worker.job.JobCancelledException;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobFailure;
import dev.hostupiso.worker.job.RetryPolicy;
import dev.hostupiso.worker.job.ScriptedHostUp;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.testsupport.ManualTimers;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.RateLimitHeaders;
import dev.hostupiso.worker.wire.TransportException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RetryingCaller} on a manual clock: holds, deadlines, cancellation, non-idempotent calls. */
class RetryingCallerTest {

    private static final Duration CONFIRMATION = Duration.ofSeconds(3);
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final ManualTimers timers = new ManualTimers(clock);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkerMetrics metrics = new WorkerMetrics(registry);
    private final HostUpRateLimiter limiter = new HostUpRateLimiterAccess().create(clock, metrics, timers);
    private final ApiKeyState keyState = new ApiKeyState(metrics, 3);
    private final Backoff backoff = new Backoff(new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(400),
            Duration.ofMinutes(10)), () -> 0L);
    private final Deque<ApiResponse> library = new ArrayDeque<>();
    private final AtomicInteger libraryReads = new AtomicInteger();
    private final Account account = new Account(Account.DEFAULT, "test-token", limiter, keyState);
    /** {@code GET /api/v2/vps}: answers {@link #vpsList} in turn, then repeats the last; counts calls. */
    private final Scripted vpsList = new Scripted(vpss("vps_ok"));
    private final KeyProbe probe = new KeyProbe((a, limit, cursor) -> vpsList.get(), timers, clock, ShareSource.WHOLE,
            new ObjectMapper(), ProbeSchedule.DEFAULT);
    private final RetryingCaller caller = new RetryingCaller(backoff, timers, clock, metrics, new ObjectMapper(),
            (account, vps) -> {
                libraryReads.incrementAndGet();
                return Uni.createFrom().item(library.isEmpty() ? answer(Endpoint.ISO_LIST, 200) : library.poll());
            }, CONFIRMATION, Duration.ofMinutes(10), probe);

    RetryingCallerTest() {
        limiter.observe(Optional.empty()); // a first answer came: calls are not probes
    }

    private JobContext job(String vps, Duration timeout) {
        IsoRequest r = new IsoRequest("r-" + vps, vps, "https://example.org/x.iso", "x.iso", "none");
        JobContext ctx = new JobContext(r, clock.instant(), clock.instant().plus(timeout), 0, 1);
        return ctx.withAccount(account);
    }

    private static ApiResponse answer(Endpoint endpoint, int status) {
        return answer(endpoint, status, "{}", "application/json");
    }

    private static ApiResponse answer(Endpoint endpoint, int status, String body, String contentType) {
        return new ApiResponse(endpoint, status, body, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(contentType));
    }

    private static ApiResponse vpss(String... ids) {
        String data = String.join(",", java.util.Arrays.stream(ids).map(id -> "{\"id\":\"" + id + "\"}").toList());
        return answer(Endpoint.VPS_LIST, 200, "{\"data\":[" + data + "],\"hasMore\":false,\"nextCursor\":null}",
                "application/json");
    }

    private static ApiResponse problem(Endpoint endpoint, int status, String code) {
        return answer(endpoint, status, "{\"code\":\"" + code + "\",\"title\":\"t\",\"status\":" + status + "}",
                "application/problem+json");
    }

    /** A call answering the given answers in turn, then the last one forever; counts its calls. */
    private static final class Scripted implements Supplier<Uni<ApiResponse>> {
        final Deque<Object> answers = new ArrayDeque<>();
        final AtomicInteger calls = new AtomicInteger();

        Scripted(Object... answers) {
            this.answers.addAll(java.util.List.of(answers));
        }

        @Override
        public Uni<ApiResponse> get() {
            calls.incrementAndGet();
            Object a = answers.size() > 1 ? answers.poll() : answers.peek();
            return a instanceof Throwable t ? Uni.createFrom().failure(t) : Uni.createFrom().item((ApiResponse) a);
        }
    }

    private static <T> UniAssertSubscriber<T> run(Uni<T> uni) {
        return uni.subscribe().withSubscriber(UniAssertSubscriber.create());
    }

    // --- deadlines and cancellation -----------------------------------------------------------

    @Test
    void aRejectedKeyIsHeldWithoutFailingUntilTheDeadlineThenFailsRetryable() {
        vpsList.answers.clear();
        vpsList.answers.add(problem(Endpoint.VPS_LIST, 401, "unauthorized"));
        JobContext ctx = job("vps_a", Duration.ofSeconds(30));
        Scripted call = new Scripted(problem(Endpoint.JOB, 401, "unauthorized"));
        var sub = run(caller.call(ctx, call));
        timers.advance(Duration.ofMillis(29_900));
        sub.assertNotTerminated();
        assertThat(keyState.hold()).contains(ApiKeyState.Reason.UNAUTHORIZED);
        assertThat(call.calls.get()).as("the held call waits for the probe instead of calling again").isEqualTo(1);
        assertThat(vpsList.calls.get()).as("probes at 5 s and 15 s (then 35 s)").isEqualTo(2);
        timers.advance(Duration.ofMillis(200));
        JobFailure f = (JobFailure) sub.getFailure();
        assertThat(f).isNotNull();
        assertThat(f.error().code()).isEqualTo("unauthorized");
        assertThat(f.error().retryable()).isTrue();
        assertThat(keyState.isRejected()).as("no held call left: the next request probes the key").isFalse();
    }

    @Test
    void aCallOfAHeldAccountWaitsWithoutCallingUntilTheProbeSeesTheKeyWork() {
        vpsList.answers.clear();
        vpsList.answers.addAll(java.util.List.of(problem(Endpoint.VPS_LIST, 401, "unauthorized"), vpss("vps_a")));
        JobContext first = job("vps_a", Duration.ofSeconds(60));
        Scripted revoked = new Scripted(problem(Endpoint.JOB, 401, "unauthorized"), answer(Endpoint.JOB, 200));
        var held = run(caller.call(first, revoked));
        assertThat(keyState.isRejected()).isTrue();
        JobContext parked = job("vps_b", Duration.ofSeconds(60));
        Scripted waiting = new Scripted(answer(Endpoint.JOB, 200));
        var sub = run(caller.call(parked, waiting));
        timers.advance(Duration.ofSeconds(14));
        assertThat(waiting.calls).as("parked: no call while the key is held").hasValue(0);
        assertThat(revoked.calls).as("held: no call while the key is held").hasValue(1);
        assertThat(keyState.waitingCalls()).isEqualTo(2);
        timers.advance(Duration.ofSeconds(1)); // the second probe (15 s) sees the key work
        held.assertCompleted();
        sub.assertCompleted();
        assertThat(waiting.calls).hasValue(1);
        assertThat(revoked.calls).hasValue(2);
        assertThat(keyState.waitingCalls()).isZero();
    }

    @Test
    void aRevokedKeyIsProbedOncePerIntervalBackingOffToAMinuteHoweverManyRequestsWait() {
        vpsList.answers.clear();
        vpsList.answers.add(problem(Endpoint.VPS_LIST, 401, "unauthorized"));
        Scripted revoked = new Scripted(problem(Endpoint.JOB, 401, "unauthorized"));
        java.util.List<UniAssertSubscriber<ApiResponse>> subs = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            subs.add(run(caller.call(job("vps_" + i, Duration.ofMinutes(10)), revoked)));
        }
        timers.advance(Duration.ofMinutes(2));
        assertThat(revoked.calls.get()).as("only the first request met the 401; the others parked").isEqualTo(1);
        assertThat(vpsList.calls.get()).as("probes at 5, 15, 35 and 75 s").isEqualTo(4);
        timers.advance(Duration.ofMinutes(3)); // 135, 195, 255 s: one a minute
        assertThat(vpsList.calls.get()).isEqualTo(7);
        vpsList.answers.clear();
        vpsList.answers.add(vpss());
        revoked.answers.clear();
        revoked.answers.add(answer(Endpoint.JOB, 200));
        timers.advance(Duration.ofMinutes(1));
        subs.forEach(UniAssertSubscriber::assertCompleted);
        assertThat(revoked.calls.get()).isEqualTo(51);
    }

    @Test
    void anIdleInstanceLiftsItsOwnHold() {
        keyState.unauthorized(); // the call that met it gave up (handed over) while the key stays held elsewhere
        Runnable gone = keyState.heldCall();
        probe.watch(account);
        timers.advance(Duration.ofSeconds(5));
        assertThat(vpsList.calls.get()).isEqualTo(1);
        assertThat(keyState.isRejected()).as("the VPS list answered: the key works").isFalse();
        gone.run();
    }

    @Test
    void aLimiterWaitPastTheDeadlineFailsAtOnceWithoutCalling() {
        limiter.observe(Optional.of(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(0),
                Optional.of(clock.instant().plus(Duration.ofDays(365))))));
        JobContext ctx = job("vps_a", Duration.ofSeconds(5));
        Scripted call = new Scripted(answer(Endpoint.JOB, 200));
        var sub = run(caller.call(ctx, call));
        JobFailure f = (JobFailure) sub.getFailure();
        assertThat(f.error().code()).isEqualTo("job_timeout");
        assertThat(call.calls.get()).isZero();
        assertThat(timers.pending()).isZero();
    }

    @Test
    void cancellingTheJobEndsItsLimiterWaitAndTheCallIsNeverMade() {
        limiter.observe(Optional.of(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(0),
                Optional.of(clock.instant().plusSeconds(60)))));
        JobContext ctx = job("vps_a", Duration.ofMinutes(5));
        Scripted call = new Scripted(answer(Endpoint.JOB, 200));
        var sub = run(caller.call(ctx, call));
        assertThat(timers.pending()).isEqualTo(1);
        ctx.cancel();
        sub.assertFailedWith(JobCancelledException.class);
        assertThat(timers.pending()).as("the timer is cancelled").isZero();
        timers.advance(Duration.ofSeconds(61));
        assertThat(call.calls.get()).isZero();
    }

    // --- 403s -----------------------------------------------------------------------------------

    @Test
    void a403ForAVpsTheKeysListDoesNotNameFailsItsRequestAtOnceAndHoldsNobody() {
        Scripted forbidden = new Scripted(problem(Endpoint.FROM_URL, 403, "forbidden"));
        keyStateReadProven();
        var sub = run(caller.call(job("vps_foreign", Duration.ofMinutes(5)), forbidden, Idempotency.NONE));
        assertThat(sub.getItem()).as("settled by one VPS list, without waiting").isNotNull();
        assertThat(sub.getItem().status()).isEqualTo(403);
        assertThat(forbidden.calls.get()).isEqualTo(1);
        assertThat(vpsList.calls.get()).isEqualTo(1);
        assertThat(keyState.isRejected()).isFalse();
        run(caller.call(job("vps_ok", Duration.ofMinutes(5)), new Scripted(answer(Endpoint.FROM_URL, 202)), Idempotency.NONE))
                .assertCompleted();
    }

    @Test
    void aFirstRequestForAForeignVpsDoesNotHoldTheKeyAsMissingReadScope() {
        library.add(problem(Endpoint.ISO_LIST, 403, "forbidden")); // the read-scope check meets the foreign VPS
        Scripted submit = new Scripted(problem(Endpoint.FROM_URL, 403, "forbidden"));
        var sub = run(caller.call(job("vps_foreign", Duration.ofHours(6)), submit, Idempotency.NONE));
        assertThat(keyState.isRejected()).isFalse();
        assertThat(keyState.readScopeProven()).as("the VPS list needs read:vm").isTrue();
        assertThat(sub.getItem().status()).isEqualTo(403);
        var other = run(caller.call(job("vps_ok", Duration.ofHours(6)), new Scripted(answer(Endpoint.FROM_URL, 202)),
                Idempotency.NONE));
        assertThat(other.getItem().status()).isEqualTo(202);
    }

    @Test
    void a403ThatTheVpsListRefusesTooHoldsTheKeyUntilAProbeSeesItWork() {
        vpsList.answers.clear();
        vpsList.answers.addAll(java.util.List.of(problem(Endpoint.VPS_LIST, 403, "forbidden"), vpss("vps_0")));
        Scripted call = new Scripted(problem(Endpoint.FROM_URL, 403, "forbidden"), answer(Endpoint.FROM_URL, 202));
        keyStateReadProven();
        var sub = run(caller.call(job("vps_0", Duration.ofMinutes(5)), call, Idempotency.NONE));
        assertThat(keyState.hold()).contains(ApiKeyState.Reason.FORBIDDEN);
        timers.advance(Duration.ofMillis(4999));
        sub.assertNotTerminated();
        timers.advance(Duration.ofMillis(1));
        assertThat(sub.getItem().status()).isEqualTo(202);
        assertThat(call.calls.get()).isEqualTo(2);
        assertThat(keyState.isRejected()).isFalse();
    }

    @Test
    void aMissingWriteScopeIsProbedByOneHeldCallPerInterval() {
        vpsList.answers.clear();
        vpsList.answers.add(vpss("vps_0", "vps_1", "vps_2"));
        Scripted submit = new Scripted(problem(Endpoint.FROM_URL, 403, "forbidden"));
        keyStateReadProven();
        java.util.List<UniAssertSubscriber<ApiResponse>> subs = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            subs.add(run(caller.call(job("vps_" + i, Duration.ofMinutes(10)), submit, Idempotency.NONE)));
        }
        assertThat(keyState.hold()).as("the VPS is the key's: a scope is missing").contains(ApiKeyState.Reason.FORBIDDEN);
        timers.advance(Duration.ofSeconds(60));
        assertThat(submit.calls.get()).as("the first, then one trial at 5, 15 and 35 s").isEqualTo(4);
        assertThat(keyState.isRejected()).as("the VPS list works, which says nothing of write:vm").isTrue();
        submit.answers.clear();
        submit.answers.add(answer(Endpoint.FROM_URL, 202));
        timers.advance(Duration.ofSeconds(15)); // the trial at 75 s works
        assertThat(keyState.isRejected()).isFalse();
        subs.forEach(UniAssertSubscriber::assertCompleted);
    }

    @Test
    void a403TheVpsListCannotSettleIsFinalAfterTheConfirmationPeriod() {
        vpsList.answers.clear();
        vpsList.answers.add(problem(Endpoint.VPS_LIST, 503, "upstream_unavailable"));
        var sub = run(caller.call(job("vps_foreign", Duration.ofMinutes(5)),
                new Scripted(problem(Endpoint.FROM_URL, 403, "forbidden"))));
        assertThat(sub.getItem().status()).isEqualTo(403);
        assertThat(keyState.isRejected()).isFalse();
    }

    @Test
    void aKeyWithoutReadScopeIsHeldBeforeAnyDownloadIsQueued() {
        library.add(problem(Endpoint.ISO_LIST, 403, "forbidden"));
        vpsList.answers.clear();
        vpsList.answers.addAll(java.util.List.of(problem(Endpoint.VPS_LIST, 403, "forbidden"), vpss("vps_a")));
        Scripted submit = new Scripted(answer(Endpoint.FROM_URL, 202));
        var sub = run(caller.call(job("vps_a", Duration.ofMinutes(5)), submit, Idempotency.NONE));
        assertThat(keyState.hold()).contains(ApiKeyState.Reason.MISSING_SCOPE);
        assertThat(submit.calls.get()).isZero();
        assertThat(registry.get(WorkerMetrics.API_KEY_HOLD).tag("reason", "missing_scope").gauge().value()).isEqualTo(1);
        timers.advance(Duration.ofSeconds(5)); // the scope is granted: the probe's list works
        assertThat(keyState.isRejected()).isFalse();
        assertThat(((ApiResponse) sub.getItem()).status()).isEqualTo(202);
        // One check per start-up or hold, not per job.
        int reads = libraryReads.get();
        run(caller.call(job("vps_b", Duration.ofMinutes(5)), submit, Idempotency.NONE)).assertCompleted();
        assertThat(libraryReads.get()).isEqualTo(reads);
    }

    // --- non-idempotent calls -------------------------------------------------------------------

    private UniAssertSubscriber<ApiResponse> submit(Object... answers) {
        keyStateReadProven();
        return run(caller.call(job("vps_s", Duration.ofMinutes(5)), new Scripted(answers), Idempotency.NONE));
    }

    private void keyStateReadProven() {
        keyState.answered(Endpoint.ISO_LIST, 200);
    }

    @Test
    void ambiguousAnswersToASubmissionAreNotRetried() {
        for (Object ambiguous : new Object[] {problem(Endpoint.FROM_URL, 500, "internal_error"),
                answer(Endpoint.FROM_URL, 502, "<html>Bad Gateway</html>", "text/html"),
                problem(Endpoint.FROM_URL, 504, "upstream_unavailable"),
                answer(Endpoint.FROM_URL, 503, "<html>down</html>", "text/html"),
                problem(Endpoint.FROM_URL, 409, "upstream_failed"),
                new TransportException(Endpoint.FROM_URL, TransportException.Kind.TIMEOUT_AFTER_SEND, new IOException("t")),
                new TransportException(Endpoint.FROM_URL, TransportException.Kind.CLOSED_AFTER_SEND, new IOException("reset"))}) {
            Scripted call = new Scripted(ambiguous, answer(Endpoint.FROM_URL, 202));
            keyStateReadProven();
            var sub = run(caller.call(job("vps_s", Duration.ofMinutes(5)), call, Idempotency.NONE));
            assertThat(sub.getFailure()).as(String.valueOf(ambiguous)).isInstanceOf(AmbiguousSubmitException.class);
            assertThat(((AmbiguousSubmitException) sub.getFailure()).error().retryable()).isTrue();
            assertThat(call.calls.get()).isEqualTo(1);
        }
    }

    @Test
    void answersProvingHostUpDidNotActAreRetriedForASubmission() {
        for (Object refusal : new Object[] {problem(Endpoint.FROM_URL, 429, "rate_limited"),
                problem(Endpoint.FROM_URL, 409, "vps_not_ready"),
                problem(Endpoint.FROM_URL, 503, "upstream_unavailable"),
                new TransportException(Endpoint.FROM_URL, TransportException.Kind.CONNECT_FAILED, new ConnectException("refused")),
                new TransportException(Endpoint.FROM_URL, TransportException.Kind.CONNECT_TIMEOUT, new IOException("t"))}) {
            var sub = submit(refusal, answer(Endpoint.FROM_URL, 202));
            timers.advance(Duration.ofSeconds(1));
            assertThat(sub.getItem()).as(String.valueOf(refusal)).isNotNull();
            assertThat(sub.getItem().status()).isEqualTo(202);
        }
    }

    @Test
    void idempotentCallsStillRetryWhatASubmissionWouldNot() {
        Scripted call = new Scripted(problem(Endpoint.JOB, 502, "upstream_unavailable"),
                new TransportException(Endpoint.JOB, TransportException.Kind.CLOSED_AFTER_SEND, new IOException("reset")),
                answer(Endpoint.JOB, 200));
        var sub = run(caller.call(job("vps_a", Duration.ofMinutes(5)), call));
        timers.advance(Duration.ofSeconds(2));
        assertThat(sub.getItem().status()).isEqualTo(200);
        assertThat(call.calls.get()).isEqualTo(3);
    }

    // --- transient answers --------------------------------------------------------------------

    @Test
    void transient409sAreRetriedUntilHostUpIsReadyAndOther409sAreFinal() {
        Scripted call = new Scripted(problem(Endpoint.JOB, 409, "vps_not_ready"), problem(Endpoint.JOB, 409, "upstream_failed"),
                answer(Endpoint.JOB, 200));
        var sub = run(caller.call(job("vps_a", Duration.ofMinutes(5)), call));
        timers.advance(Duration.ofSeconds(1));
        assertThat(sub.getItem().status()).isEqualTo(200);
        assertThat(call.calls.get()).isEqualTo(3);

        Scripted conflict = new Scripted(problem(Endpoint.JOB, 409, "iso_exists"));
        var final409 = run(caller.call(job("vps_b", Duration.ofMinutes(5)), conflict));
        assertThat(final409.getItem().status()).as("handed back for the caller to interpret").isEqualTo(409);
        assertThat(conflict.calls.get()).isEqualTo(1);
    }

    @Test
    void transientAnswersUntilTheDeadlineFailWithTheLastOneRetryable() {
        Scripted call = new Scripted(problem(Endpoint.JOB, 409, "vps_not_ready"));
        var sub = run(caller.call(job("vps_a", Duration.ofSeconds(2)), call));
        timers.advance(Duration.ofSeconds(3));
        JobFailure f = (JobFailure) sub.getFailure();
        assertThat(f.error().code()).isEqualTo("vps_not_ready");
        assertThat(f.error().retryable()).isTrue();
        assertThat(call.calls.get()).as("a try every 100 ms (backoff draws its floor) from 0 through 2,000 ms").isEqualTo(21);
    }

    @Test
    void aRetryAfterIsWaitedButNeverLongerThanItsCeiling() {
        Scripted call = new Scripted(ScriptedHostUp.withRetryAfter(problem(Endpoint.JOB, 503, "upstream_unavailable"), "3600"),
                answer(Endpoint.JOB, 200));
        var sub = run(caller.call(job("vps_a", Duration.ofHours(2)), call));
        timers.advance(Duration.ofMinutes(10).minusMillis(1));
        assertThat(call.calls.get()).as("the server's hour is capped at the 10-minute ceiling, not shortened further")
                .isEqualTo(1);
        timers.advance(Duration.ofMillis(1));
        assertThat(sub.getItem().status()).isEqualTo(200);
        assertThat(call.calls.get()).isEqualTo(2);
    }

    @Test
    void aRetryAfterLongerThanWhatIsLeftFailsAtOnceInsteadOfWaitingInVain() {
        Scripted call = new Scripted(ScriptedHostUp.withRetryAfter(problem(Endpoint.JOB, 503, "upstream_unavailable"), "120"));
        var sub = run(caller.call(job("vps_a", Duration.ofSeconds(60)), call));
        JobFailure f = (JobFailure) sub.getFailure();
        assertThat(f.error().code()).isEqualTo("upstream_unavailable");
        assertThat(timers.pending()).isZero();
    }
}
