package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.JobResult;
import dev.hostupiso.worker.wire.TransportException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static dev.hostupiso.worker.job.JobFixture.run;
import static dev.hostupiso.worker.job.ScriptedHostUp.library;
import static dev.hostupiso.worker.job.ScriptedHostUp.problem;
import static dev.hostupiso.worker.job.ScriptedHostUp.withRetryAfter;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * After a from-url answer whose fate is unknown: the window fits the download, the library is read a few times
 * when the file could be there, and no from-url call is made that the time left cannot cover.
 */
class AmbiguityWindowTest {

    private static TransportException lost() {
        return new TransportException(Endpoint.FROM_URL, TransportException.Kind.TIMEOUT_AFTER_SEND, new IOException("read timed out"));
    }

    @Test
    void atTheDeadlineEdgeNoSecondDownloadIsStartedAndTheFailureSaysOneMayStillComplete() {
        JobFixture f = new JobFixture(Map.of("iso.submit.ambiguity-window", "1s", "iso.submit.max-attempts", "3"));
        f.hostUp.then(Endpoint.FROM_URL, lost()).then(Endpoint.ISO_LIST, library());
        var sub = run(f.runner.run(f.job(Duration.ofMillis(1500))));
        f.timers.advance(Duration.ofSeconds(5));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(f.hostUp.calls(Endpoint.FROM_URL)).as("0.5 s left cannot cover another 1 s window").isEqualTo(1);
        assertThat(r.error().code()).isEqualTo("job_timeout");
        assertThat(r.error().retryable()).as("a retry would start a second download").isFalse();
        assertThat(r.error().detail()).contains("may still complete").contains("x.iso");
    }

    @Test
    void aRetryCarriedPastTheEdgeByARateLimitIsNotSent() {
        JobFixture f = new JobFixture(Map.of("iso.submit.ambiguity-window", "1s", "iso.submit.max-attempts", "3"));
        f.hostUp.then(Endpoint.FROM_URL, lost(), withRetryAfter(problem(Endpoint.FROM_URL, 429, "rate_limited"), "1"))
                .then(Endpoint.ISO_LIST, library());
        // Watched 1 s, 1.5 s left: called again, refused with a 1 s pause; then 0.5 s left cannot cover a window.
        var sub = run(f.runner.run(f.job(Duration.ofMillis(2500))));
        f.timers.advance(Duration.ofSeconds(5));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(f.hostUp.calls(Endpoint.FROM_URL)).isEqualTo(2);
        assertThat(r.error().code()).isEqualTo("job_timeout");
        assertThat(r.error().retryable()).isFalse();
    }

    @Test
    void aFailureAfterTheDownloadWasQueuedIsNotRetryable() {
        JobFixture f = new JobFixture(Map.of("iso.submit.ambiguity-window", "1s", "iso.submit.max-attempts", "2"));
        f.hostUp.then(Endpoint.FROM_URL, lost(), problem(Endpoint.FROM_URL, 502, "bad_gateway")).then(Endpoint.ISO_LIST, library());
        var sub = run(f.runner.run(f.job(Duration.ofHours(1))));
        f.timers.advance(Duration.ofSeconds(10));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.fromUrlCalls()).isEqualTo(2);
        assertThat(r.error().retryable()).isFalse();
    }

    @Test
    void aRefusedRequestThatQueuedNothingStaysRetryable() {
        JobFixture f = new JobFixture(Map.of("iso.submit.ambiguity-window", "1s"));
        f.hostUp.then(Endpoint.FROM_URL, problem(Endpoint.FROM_URL, 429, "rate_limited")).then(Endpoint.ISO_LIST, library());
        var sub = run(f.runner.run(f.job(Duration.ofSeconds(2))));
        f.timers.advance(Duration.ofSeconds(5));
        assertThat(sub.assertCompleted().getItem().error().retryable()).isTrue();
    }

    @Test
    void aLargeFileIsWatchedForAsLongAsItsDownloadMayTakeBeforeAnyNewCall() {
        JobFixture f = new JobFixture(Map.of("iso.submit.ambiguity-window", "1m", "iso.submit.max-attempts", "3"));
        // 6 GB: expected 20 minutes at the assumed rate, so a 30-minute window; the file shows after 25 minutes.
        f.hostUp.then(Endpoint.FROM_URL, lost()).then(Endpoint.ISO_LIST, library());
        JobContext ctx = f.job(Duration.ofHours(6));
        ctx.preflighted(p -> p.withExpectedBytes(6_000_000_000L));
        var sub = run(f.runner.run(ctx));
        f.timers.advance(Duration.ofMinutes(25));
        assertThat(f.hostUp.calls(Endpoint.FROM_URL)).as("still within the window").isEqualTo(1);
        f.hostUp.then(Endpoint.ISO_LIST, library("x.iso"));
        f.timers.advance(Duration.ofMinutes(6));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.completed()).isTrue();
        assertThat(r.fromUrlCalls()).as("one download").isEqualTo(1);
    }

    @Test
    void theLibraryIsReadAtMostEightTimesPerWindowAndNotBeforeTheDownloadCouldHaveEnded() {
        JobFixture f = new JobFixture(Map.of("iso.submit.ambiguity-window", "10m", "iso.submit.max-attempts", "1"));
        f.hostUp.then(Endpoint.FROM_URL, lost()).then(Endpoint.ISO_LIST, library());
        JobContext ctx = f.job(Duration.ofHours(1));
        ctx.preflighted(p -> p.withExpectedBytes(1_500_000_000L)); // 5 minutes expected; the window stays the configured 10
        var sub = run(f.runner.run(ctx));
        f.timers.advance(Duration.ofMinutes(4));
        assertThat(f.hostUp.calls(Endpoint.ISO_LIST)).as("one read at once, the next when it could be done").isEqualTo(1);
        f.timers.advance(Duration.ofMinutes(7));
        assertThat(sub.assertCompleted().getItem().completed()).isFalse();
        assertThat(f.hostUp.calls(Endpoint.ISO_LIST)).as("reads in the 10-minute window").isBetween(2, 8);
    }

    @Test
    void withoutASizeTheWindowIsTheConfiguredOneReadEightTimes() {
        JobFixture f = new JobFixture(Map.of("iso.submit.ambiguity-window", "10m", "iso.submit.max-attempts", "1"));
        f.hostUp.then(Endpoint.FROM_URL, lost()).then(Endpoint.ISO_LIST, library());
        var sub = run(f.runner.run(f.job(Duration.ofHours(1))));
        f.timers.advance(Duration.ofMinutes(11));
        assertThat(sub.assertCompleted().getItem().completed()).isFalse();
        assertThat(f.hostUp.calls(Endpoint.ISO_LIST)).isEqualTo(8);
    }
}
