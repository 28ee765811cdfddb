package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobFixture;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.RateLimitHeaders;
import dev.hostupiso.worker.wire.TransportException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.smallrye.mutiny.subscription.UniEmitter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Every permit of the rate limiter is released, whatever order calls are started, answered (200, 429), fail without
 * an answer, time out, are cancelled through their job or lose their subscriber. A permit left outstanding would
 * hold back, after the next window roll-over, the one call that finds out what budget came back.
 */
class PermitReleasePropertyTest {

    private static final int JOBS = 3;

    /** HostUp whose answers the test gives, one pending call at a time per job. */
    private static final class HeldHostUp implements HostUpApi {
        final Deque<UniEmitter<? super ApiResponse>> pending = new ArrayDeque<>();

        private Uni<ApiResponse> held() {
            return Uni.createFrom().<ApiResponse>emitter(e -> pending.add(e));
        }

        @Override
        public Uni<ApiResponse> send(Account account, HostUpRequest request) {
            return held();
        }
    }

    private static ApiResponse answer(JobFixture f, int status) {
        RateLimitHeaders budget = new RateLimitHeaders(OptionalInt.of(100), OptionalInt.of(90),
                Optional.of(f.clock.instant().plusSeconds(1)));
        return new ApiResponse(Endpoint.JOB, status, "{}", status == 429 ? Optional.of("1") : Optional.empty(),
                Optional.empty(), Optional.of(budget), Optional.empty(), Optional.of("application/json"));
    }

    @Test
    void everyOrderingOfAnswersFailuresTimeoutsAndCancellationsReleasesEveryPermit() {
        qt().withExamples(300).forAll(lists().of(integers().between(0, 8)).ofSizeBetween(1, 40))
                .checkAssert(PermitReleasePropertyTest::runAndCheck);
    }

    private static void runAndCheck(List<Integer> ops) {
        JobFixture f = new JobFixture();
        HeldHostUp hostUp = new HeldHostUp();
        RetryingCaller caller = new RetryingCaller(f.backoff, f.timers, f.clock, f.metrics, f.mapper, hostUp, f.config,
                new KeyProbe(hostUp, f.timers, f.clock, ShareSource.WHOLE, f.mapper));
        List<JobContext> jobs = new ArrayList<>();
        List<UniAssertSubscriber<ApiResponse>> calls = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            jobs.add(f.job(Duration.ofSeconds(30 + 7L * i)));
            calls.add(null);
        }
        int k = 0;
        for (int op : ops) {
            k = (k + 1) % JOBS;
            JobContext ctx = jobs.get(k);
            switch (op) {
                case 0 -> {
                    if (calls.get(k) == null || calls.get(k).getFailure() != null || calls.get(k).getItem() != null) {
                        JobContext fresh = f.job(Duration.ofSeconds(30));
                        jobs.set(k, fresh);
                        calls.set(k, caller.call(fresh, () -> hostUp.send(f.account, HostUpRequest.get(Endpoint.JOB, "/api/jobs/j")))
                                .subscribe().withSubscriber(UniAssertSubscriber.create()));
                    }
                }
                case 1 -> f.timers.advance(Duration.ofMillis(60));
                case 2 -> answerOldest(hostUp, answer(f, 200));
                case 3 -> answerOldest(hostUp, answer(f, 429));
                case 4 -> failOldest(hostUp, TransportException.Kind.CONNECT_FAILED);
                case 5 -> failOldest(hostUp, TransportException.Kind.TIMEOUT_AFTER_SEND);
                case 6 -> ctx.cancel();
                case 7 -> {
                    if (calls.get(k) != null) {
                        calls.get(k).cancel();
                    }
                }
                default -> f.timers.advance(Duration.ofMillis(1500));
            }
        }
        // Everything still running ends: jobs cancelled, calls still on the wire answered (to nobody, or too late).
        jobs.forEach(JobContext::cancel);
        calls.stream().filter(c -> c != null).forEach(UniAssertSubscriber::cancel);
        while (!hostUp.pending.isEmpty()) {
            answerOldest(hostUp, answer(f, 200));
        }
        assertNoPermitOutstanding(f);
    }

    private static void answerOldest(HeldHostUp hostUp, ApiResponse response) {
        UniEmitter<? super ApiResponse> e = hostUp.pending.poll();
        if (e != null) {
            e.complete(response);
        }
    }

    private static void failOldest(HeldHostUp hostUp, TransportException.Kind kind) {
        UniEmitter<? super ApiResponse> e = hostUp.pending.poll();
        if (e != null) {
            e.fail(new TransportException(Endpoint.JOB, kind, new IOException("scripted")));
        }
    }

    /**
     * With no call outstanding, the first call after a window rolls over is granted at once (it finds out what came
     * back); with one outstanding it would be told to ask again. Checked well within a permit's lifetime, so an
     * expired permit does not hide a lost release.
     */
    private static void assertNoPermitOutstanding(JobFixture f) {
        f.clock.advance(Duration.ofSeconds(2)); // past every Retry-After pause
        f.limiter.observe(Optional.of(new RateLimitHeaders(OptionalInt.of(100), OptionalInt.of(100),
                Optional.of(f.clock.instant().plusSeconds(1)))));
        f.clock.advance(Duration.ofSeconds(2));
        assertThat(f.limiter.reserve().granted()).as("a permit is still outstanding: %s", f.limiter).isTrue();
    }
}
