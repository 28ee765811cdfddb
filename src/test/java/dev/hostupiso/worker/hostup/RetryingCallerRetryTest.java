package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.job.Backoff;
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
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RetryingCaller} on a manual clock: how it waits between tries (backoff growth, {@code Retry-After} in a
 * header or only in a 429's body, a 429 pausing the whole account), what a transport failure is called, what the
 * key state and the limiter's permits learn from each try, and the warnings it logs. Unlike
 * {@link RetryingCallerTest}, the limiter here has seen no answer yet, so a permit left outstanding holds back the
 * next call, which is how these tests see that every permit is released.
 */
class RetryingCallerRetryTest {

    private static final String CATEGORY = RetryingCaller.class.getName();

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final ManualTimers timers = new ManualTimers(clock);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkerMetrics metrics = new WorkerMetrics(registry);
    private final HostUpRateLimiter limiter = new HostUpRateLimiterAccess().create(clock, metrics, timers);
    private final ApiKeyState keyState = new ApiKeyState(metrics, 3);
    private final Account account = new Account(Account.DEFAULT, "test-token", limiter, keyState);
    private final Deque<ApiResponse> vpsList = new ArrayDeque<>(List.of(vpss("vps_a")));
    private final KeyProbe probe = new KeyProbe((a, limit, cursor) -> Uni.createFrom().item(
            vpsList.size() > 1 ? vpsList.poll() : vpsList.peek()), timers, clock, ShareSource.WHOLE, new ObjectMapper(),
            ProbeSchedule.DEFAULT);
    private final List<ExtLogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(ExtLogRecord.wrap(record));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    RetryingCallerRetryTest() {
        java.util.logging.Logger.getLogger(CATEGORY).addHandler(capture);
    }

    @AfterEach
    void detach() {
        java.util.logging.Logger.getLogger(CATEGORY).removeHandler(capture);
    }

    /** Backoff from 100 ms doubling to 400 ms; {@code random} is what every jitter draw returns. */
    private RetryingCaller caller(double random) {
        long bits = (long) (random * (1L << 53)) << 11; // nextDouble() is (nextLong() >>> 11) / 2^53
        Backoff backoff = new Backoff(new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(400),
                Duration.ofMinutes(10)), () -> bits);
        return new RetryingCaller(backoff, timers, clock, metrics, new ObjectMapper(),
                (a, vps) -> Uni.createFrom().item(answer(Endpoint.ISO_LIST, 200)), Duration.ofSeconds(3),
                Duration.ofMinutes(10), probe);
    }

    private JobContext job(String vps, Duration timeout) {
        IsoRequest r = new IsoRequest("r-" + vps, vps, "https://example.org/x.iso", "x.iso", "none");
        return new JobContext(r, clock.instant(), clock.instant().plus(timeout), 0, 1).withAccount(account);
    }

    private static ApiResponse answer(Endpoint endpoint, int status) {
        return answer(endpoint, status, "{}", "application/json");
    }

    private static ApiResponse answer(Endpoint endpoint, int status, String body, String contentType) {
        return new ApiResponse(endpoint, status, body, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(contentType));
    }

    private static ApiResponse problem(Endpoint endpoint, int status, String code) {
        return answer(endpoint, status, "{\"code\":\"" + code + "\",\"title\":\"t\",\"status\":" + status + "}",
                "application/problem+json");
    }

    private static ApiResponse vpss(String... ids) {
        String data = String.join(",", java.util.Arrays.stream(ids).map(id -> "{\"id\":\"" + id + "\"}").toList());
        return answer(Endpoint.VPS_LIST, 200, "{\"data\":[" + data + "],\"hasMore\":false,\"nextCursor\":null}",
                "application/json");
    }

    private static TransportException transport(TransportException.Kind kind) {
        return new TransportException(Endpoint.JOB, kind, kind.name().startsWith("CONNECT")
                ? new ConnectException("refused") : new IOException("no answer"));
    }

    /** An answer that never comes: the call stays on the wire. */
    private static final Object NEVER = new Object();

    /** Answers in turn, then the last one forever; notes when it is called. */
    private final class Scripted implements Supplier<Uni<ApiResponse>> {
        final Deque<Object> answers = new ArrayDeque<>();
        final List<Instant> calledAt = new ArrayList<>();

        Scripted(Object... answers) {
            this.answers.addAll(java.util.Arrays.asList(answers));
        }

        @Override
        public Uni<ApiResponse> get() {
            calledAt.add(clock.instant());
            Object a = answers.size() > 1 ? answers.poll() : answers.peek();
            if (a instanceof RuntimeException e && !(a instanceof TransportException)) {
                throw e;
            }
            return a instanceof Throwable t ? Uni.createFrom().failure(t)
                    : a == NEVER ? Uni.createFrom().nothing() : Uni.createFrom().item((ApiResponse) a);
        }

        int calls() {
            return calledAt.size();
        }
    }

    private static <T> UniAssertSubscriber<T> run(Uni<T> uni) {
        return uni.subscribe().withSubscriber(UniAssertSubscriber.create());
    }

    private Instant at(long millis) {
        return Instant.parse("2026-11-27T10:00:00Z").plusMillis(millis);
    }

    /** Whether a permit of the limiter is still outstanding: with no answer seen yet, it holds back the next call. */
    private boolean permitOutstanding() {
        return !limiter.reserve().granted();
    }

    // --- how long it waits ----------------------------------------------------------------------

    @Test
    void consecutiveFailuresBackOffFurtherEachTime() {
        Scripted call = new Scripted(problem(Endpoint.JOB, 503, "upstream_unavailable"),
                problem(Endpoint.JOB, 503, "upstream_unavailable"), problem(Endpoint.JOB, 503, "upstream_unavailable"),
                problem(Endpoint.JOB, 503, "upstream_unavailable"), answer(Endpoint.JOB, 200));
        var sub = run(caller(0.999).call(job("vps_a", Duration.ofMinutes(5)), call));
        timers.advance(Duration.ofSeconds(2));
        sub.assertCompleted();
        // The jitter draws the top of each range: 100 ms, then up to 200, 400, and 400 again (the cap).
        assertThat(call.calledAt).containsExactly(at(0), at(100), at(299), at(698), at(1097));
    }

    @Test
    void aRetryAfterOnlyInA429sBodyIsWaited() {
        Scripted call = new Scripted(answer(Endpoint.JOB, 429,
                "{\"code\":\"rate_limited\",\"title\":\"t\",\"status\":429,\"retryAfter\":7}", "application/problem+json"),
                answer(Endpoint.JOB, 200));
        var sub = run(caller(0).call(job("vps_a", Duration.ofMinutes(5)), call));
        timers.advance(Duration.ofMillis(6_999));
        assertThat(call.calls()).as("the body's 7 s, not the 100 ms backoff").isEqualTo(1);
        timers.advance(Duration.ofMillis(1));
        sub.assertCompleted();
        assertThat(call.calledAt).containsExactly(at(0), at(7_000));
    }

    @Test
    void aWaitAskedForByRetryAfterIsCountedInItsMetricAndABackoffIsNot() {
        Scripted call = new Scripted(ScriptedHostUp.withRetryAfter(problem(Endpoint.JOB, 503, "upstream_unavailable"), "2"),
                problem(Endpoint.JOB, 503, "upstream_unavailable"), answer(Endpoint.JOB, 200));
        var sub = run(caller(0).call(job("vps_a", Duration.ofMinutes(5)), call));
        timers.advance(Duration.ofSeconds(3));
        sub.assertCompleted();
        assertThat(call.calls()).isEqualTo(3);
        Timer waits = registry.get(WorkerMetrics.RETRY_AFTER_WAIT).timer();
        assertThat(waits.count()).isEqualTo(1);
        assertThat(waits.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2_000);
    }

    @Test
    void a429PausesEveryCallOfTheAccountUntilItsRetryAfter() {
        RetryingCaller caller = caller(0);
        Scripted limited = new Scripted(ScriptedHostUp.withRetryAfter(problem(Endpoint.JOB, 429, "rate_limited"), "5"),
                answer(Endpoint.JOB, 200));
        var first = run(caller.call(job("vps_a", Duration.ofMinutes(5)), limited));
        timers.advance(Duration.ofSeconds(1));
        Scripted other = new Scripted(answer(Endpoint.JOB, 200));
        var second = run(caller.call(job("vps_b", Duration.ofMinutes(5)), other));
        timers.advance(Duration.ofMillis(3_999));
        assertThat(other.calls()).as("the key is over its limit: the account's other call waits too").isZero();
        timers.advance(Duration.ofMillis(1));
        first.assertCompleted();
        second.assertCompleted();
        assertThat(other.calledAt).containsExactly(at(5_000));
        assertThat(limited.calledAt).containsExactly(at(0), at(5_000));
    }

    @Test
    void a503WithRetryAfterDelaysOnlyItsOwnCall() {
        RetryingCaller caller = caller(0);
        Scripted unavailable = new Scripted(
                ScriptedHostUp.withRetryAfter(problem(Endpoint.JOB, 503, "upstream_unavailable"), "5"),
                answer(Endpoint.JOB, 200));
        var first = run(caller.call(job("vps_a", Duration.ofMinutes(5)), unavailable));
        timers.advance(Duration.ofSeconds(1));
        Scripted other = new Scripted(answer(Endpoint.JOB, 200));
        run(caller.call(job("vps_b", Duration.ofMinutes(5)), other)).assertCompleted();
        assertThat(other.calledAt).as("a 503 says nothing of the key's budget").containsExactly(at(1_000));
        timers.advance(Duration.ofSeconds(4));
        first.assertCompleted();
        assertThat(unavailable.calledAt).containsExactly(at(0), at(5_000));
    }

    // --- what a failure is called ---------------------------------------------------------------

    @Test
    void aTimeoutAndARefusedConnectionFailTheJobWithTheirOwnCodeAndTitle() {
        Scripted slow = new Scripted(transport(TransportException.Kind.TIMEOUT_AFTER_SEND));
        var timedOut = run(caller(0).call(job("vps_a", Duration.ofSeconds(1)), slow));
        Scripted refused = new Scripted(transport(TransportException.Kind.CONNECT_FAILED));
        var unreachable = run(caller(0).call(job("vps_b", Duration.ofSeconds(1)), refused));
        timers.advance(Duration.ofSeconds(2));
        JobFailure t = (JobFailure) timedOut.getFailure();
        assertThat(t.error().code()).isEqualTo("timeout");
        assertThat(t.error().title()).isEqualTo("HostUp did not answer in time");
        assertThat(t.error().retryable()).isTrue();
        JobFailure c = (JobFailure) unreachable.getFailure();
        assertThat(c.error().code()).isEqualTo("connection_error");
        assertThat(c.error().title()).isEqualTo("Could not reach HostUp");
    }

    // --- what the key state learns --------------------------------------------------------------

    @Test
    void aWorkingIsoLibraryReadProvesTheKeysReadScope() {
        assertThat(keyState.readScopeProven()).isFalse();
        run(caller(0).call(job("vps_a", Duration.ofMinutes(1)), new Scripted(answer(Endpoint.ISO_LIST, 200))))
                .assertCompleted();
        assertThat(keyState.readScopeProven()).isTrue();
    }

    @Test
    void aHeldCallThatTriesAgainNoLongerCountsAsWaitingWhileItBacksOff() {
        Scripted call = new Scripted(problem(Endpoint.JOB, 401, "unauthorized"),
                problem(Endpoint.JOB, 503, "upstream_unavailable"), answer(Endpoint.JOB, 200));
        var sub = run(caller(0).call(job("vps_a", Duration.ofMinutes(5)), call));
        assertThat(keyState.waitingCalls()).isEqualTo(1);
        timers.advance(Duration.ofSeconds(5)); // the first probe sees the key work; the call meets a 503
        assertThat(call.calls()).isEqualTo(2);
        assertThat(keyState.isRejected()).isFalse();
        assertThat(keyState.waitingCalls()).as("backing off from a 503 is not waiting out the key's hold").isZero();
        timers.advance(Duration.ofMillis(100));
        sub.assertCompleted();
    }

    // --- the limiter's permits ------------------------------------------------------------------

    @Test
    void anAnsweredCallReleasesItsPermit() {
        run(caller(0).call(job("vps_a", Duration.ofMinutes(1)), new Scripted(answer(Endpoint.JOB, 200)))).assertCompleted();
        assertThat(permitOutstanding()).isFalse();
    }

    @Test
    void aCallFailedWithoutAnAnswerReleasesItsPermitSoTheRetryGoesAtOnce() {
        Scripted call = new Scripted(transport(TransportException.Kind.CONNECT_FAILED), answer(Endpoint.JOB, 200));
        var sub = run(caller(0).call(job("vps_a", Duration.ofMinutes(5)), call));
        timers.advance(Duration.ofMillis(100));
        sub.assertCompleted();
        assertThat(call.calledAt).containsExactly(at(0), at(100));
    }

    @Test
    void aCallFailedWithoutAnAnswerCountsAsEndedSoItsRetryIsNotHeldBehindAnotherCallOnTheWire() {
        RetryingCaller caller = caller(0);
        Scripted refused = new Scripted(transport(TransportException.Kind.CONNECT_FAILED), answer(Endpoint.JOB, 200));
        var first = run(caller.call(job("vps_a", Duration.ofMinutes(5)), refused));
        Scripted onTheWire = new Scripted(NEVER);
        run(caller.call(job("vps_b", Duration.ofMinutes(5)), onTheWire));
        assertThat(onTheWire.calls()).isEqualTo(1);
        timers.advance(Duration.ofMillis(100));
        first.assertCompleted();
        assertThat(refused.calledAt).as("a cancelled call would leave the limiter waiting for a first answer")
                .containsExactly(at(0), at(100));
    }

    @Test
    void aLimiterWaitPastTheDeadlineAfterATransientAnswerFailsWithThatAnswersError() {
        ApiResponse spent = new ApiResponse(Endpoint.JOB, 503, "{\"code\":\"upstream_unavailable\",\"title\":\"t\",\"status\":503}",
                Optional.empty(), Optional.empty(), Optional.of(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(0),
                Optional.of(clock.instant().plus(Duration.ofDays(1))))), Optional.empty(), Optional.of("application/problem+json"));
        Scripted call = new Scripted(spent);
        var sub = run(caller(0).call(job("vps_a", Duration.ofMinutes(5)), call));
        timers.advance(Duration.ofMillis(100));
        JobFailure f = (JobFailure) sub.getFailure();
        assertThat(f).isNotNull();
        assertThat(f.error().code()).as("the last transient error, not job_timeout").isEqualTo("upstream_unavailable");
        assertThat(call.calls()).isEqualTo(1);
    }

    @Test
    void aCallWhoseSubscriberLeavesWhileOnTheWireReleasesItsPermit() {
        var sub = run(caller(0).call(job("vps_a", Duration.ofMinutes(1)), new Scripted(NEVER)));
        assertThat(permitOutstanding()).as("the call is on the wire").isTrue();
        sub.cancel();
        assertThat(permitOutstanding()).isFalse();
    }

    @Test
    void aCallThatThrowsInsteadOfCallingReleasesItsPermit() {
        IllegalStateException bug = new IllegalStateException("a bug in the call");
        var sub = run(caller(0).call(job("vps_a", Duration.ofMinutes(1)), new Scripted(bug)));
        assertThat(sub.getFailure()).isSameAs(bug);
        assertThat(permitOutstanding()).isFalse();
    }

    @Test
    void aJobCancelledBeforeItsCallBooksNoSlotOfTheAccountsPace() {
        RetryingCaller caller = caller(0);
        // A budget of one call a second: each granted call takes the next second's slot.
        limiter.observe(Optional.of(new RateLimitHeaders(OptionalInt.of(60), OptionalInt.of(30),
                Optional.of(clock.instant().plusSeconds(30)))));
        JobContext cancelled = job("vps_a", Duration.ofMinutes(1));
        cancelled.cancel();
        Scripted never = new Scripted(answer(Endpoint.JOB, 200));
        run(caller.call(cancelled, never));
        Scripted next = new Scripted(answer(Endpoint.JOB, 200));
        run(caller.call(job("vps_b", Duration.ofMinutes(1)), next)).assertCompleted();
        assertThat(never.calls()).isZero();
        assertThat(next.calledAt).as("the cancelled job took no slot").containsExactly(at(0));
    }

    // --- what it logs ---------------------------------------------------------------------------

    @Test
    void everyRetryAndEveryCallGivenUpIsLoggedAsAWarning() {
        RetryingCaller caller = caller(0);
        run(caller.call(job("vps_a", Duration.ofMinutes(1)), new Scripted(problem(Endpoint.JOB, 503, "upstream_unavailable"),
                answer(Endpoint.JOB, 200))));
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains("503", "upstream_unavailable", "retrying");
        timers.advance(Duration.ofMillis(100));

        keyState.answered(Endpoint.ISO_LIST, 200); // no read-scope check before the submission
        run(caller.call(job("vps_b", Duration.ofMinutes(1)), new Scripted(problem(Endpoint.FROM_URL, 500, "internal_error")),
                Idempotency.NONE));
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(1).getFormattedMessage()).contains("500", "not repeating");

        limiter.observe(Optional.of(new RateLimitHeaders(OptionalInt.of(10), OptionalInt.of(0),
                Optional.of(clock.instant().plus(Duration.ofDays(365))))));
        run(caller.call(job("vps_c", Duration.ofSeconds(5)), new Scripted(answer(Endpoint.JOB, 200))));
        assertThat(warnings).hasSize(3);
        assertThat(warnings.get(2).getFormattedMessage()).contains("rate limit", "deadline");
    }
}
