package dev.hostupiso.worker.job;

import dev.hostupiso.worker.config.PreflightMode;
import dev.hostupiso.worker.preflight.AddressGuard;
import dev.hostupiso.worker.preflight.PreflightSettings;
import dev.hostupiso.worker.preflight.StubResolver;
import dev.hostupiso.worker.preflight.UrlPreflight;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.JobResult;
import dev.hostupiso.worker.wire.PreflightReport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The step before from-url: probes once, records what it found, and leaves a recorded finding alone. */
class PreflightStepTest {

    private final Vertx vertx = Vertx.vertx();
    private final StubResolver resolver = new StubResolver(); // knows no name: every probe is "unknown host"
    private final Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
    private final ManualClock clock = new ManualClock(t0);
    private final IsoRequest request = new IsoRequest("r-1", "vps_1", "https://releases.example.org/x.iso", "x.iso", "none");

    @AfterEach
    void close() {
        vertx.close();
    }

    private PreflightStep step(PreflightMode mode) {
        return new PreflightStep(new UrlPreflight(vertx, new PreflightSettings(mode, 5, Duration.ofSeconds(1),
                AddressGuard.strict(), PreflightSettings.HOSTUP_MAX_BYTES), resolver), clock);
    }

    @Test
    void aNewRequestIsProbedAndTheFindingKept() {
        JobContext ctx = new JobContext(request, t0, t0.plusSeconds(60), 0, 1);
        step(PreflightMode.RESOLVE).run(ctx).await().atMost(Duration.ofSeconds(10));
        assertThat(resolver.asked()).containsExactly("releases.example.org");
        assertThat(ctx.preflight()).isEqualTo(new PreflightReport("skipped",
                "host not probed (unknown, or not an address the worker may reach)", 0));
        assertThat(ctx.urlToSubmit()).isEqualTo(request.url());
    }

    @Test
    void aResumedJobWithARecordedFindingIsNotProbedAgain() {
        JobContext ctx = JobContext.resumed(request, t0, t0.plusSeconds(60), 0, 2, JobState.RECEIVED, null, null, 0, 0, 0, false)
                .withPreflight("https://cdn.example.net/x.iso?sig=1", new PreflightReport("resolved", null, 1));
        step(PreflightMode.RESOLVE).run(ctx).await().atMost(Duration.ofSeconds(10));
        assertThat(resolver.asked()).isEmpty();
        assertThat(ctx.urlToSubmit()).isEqualTo("https://cdn.example.net/x.iso?sig=1");
        JobResult result = ctx.failed(JobError.of("job_timeout", "t", "d", true));
        assertThat(result.resolvedUrl()).as("published redacted").isEqualTo("https://cdn.example.net/x.iso?…");
    }

    @Test
    void offMeansNoProbeAndNoReport() {
        JobContext ctx = new JobContext(request, t0, t0.plusSeconds(60), 0, 1);
        step(PreflightMode.OFF).run(ctx).await().atMost(Duration.ofSeconds(10));
        assertThat(resolver.asked()).isEmpty();
        assertThat(ctx.preflight()).isNull();
    }

    @Test
    void aRefusalIsANonRetryableErrorWithTheWorkersOwnCode() {
        JobError e = PreflightStep.error(new dev.hostupiso.worker.job.PreflightResult.Refused("file_too_large", "too big",
                List.of()));
        assertThat(e.code()).isEqualTo("file_too_large");
        assertThat(e.retryable()).isFalse();
        assertThat(e.httpStatus()).isNull();
    }

    @Test
    void aRedirectTargetIsResolvedAgainBeforeAFromUrlAfterALongWaitAndWhatIsSubmittedIsRecorded() throws Exception {
        AtomicInteger signatures = new AtomicInteger();
        AtomicInteger heads = new AtomicInteger();
        boolean[] gone = {false};
        HttpServer origin = vertx.createHttpServer().requestHandler(r -> {
            heads.incrementAndGet();
            if (r.path().equals("/latest.iso")) {
                r.response().setStatusCode(gone[0] ? 404 : 302)
                        .putHeader("Location", "/x.iso?sig=" + signatures.incrementAndGet()).end();
            } else {
                r.response().putHeader("Content-Length", "10").end();
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String base = "http://127.0.0.1:" + origin.actualPort();
        PreflightStep step = new PreflightStep(new UrlPreflight(vertx, new PreflightSettings(PreflightMode.RESOLVE, 5,
                Duration.ofSeconds(2), AddressGuard.allowing(List.of("127.0.0.1:" + origin.actualPort())),
                PreflightSettings.HOSTUP_MAX_BYTES), resolver), clock);
        JobContext ctx = new JobContext(new IsoRequest("r-2", "vps_1", base + "/latest.iso", "x.iso", "none"),
                t0, t0.plusSeconds(3600), 0, 1);
        step.run(ctx).await().atMost(Duration.ofSeconds(10));
        assertThat(ctx.urlToSubmit()).isEqualTo(base + "/x.iso?sig=1");
        assertThat(step.urlForSubmit(ctx).await().atMost(Duration.ofSeconds(10)))
                .as("resolved moments ago: submitted as it is").isEqualTo(base + "/x.iso?sig=1");
        int before = heads.get();
        clock.advance(Duration.ofMinutes(10)); // a 429 pause, a held key, the ambiguity window...
        assertThat(step.urlForSubmit(ctx).await().atMost(Duration.ofSeconds(10))).isEqualTo(base + "/x.iso?sig=2");
        assertThat(heads.get()).isGreaterThan(before);
        assertThat(ctx.resolvedUrl()).as("what was submitted is recorded").isEqualTo(base + "/x.iso?sig=2");
        gone[0] = true;
        clock.advance(Duration.ofMinutes(10));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> step.urlForSubmit(ctx).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(JobFailure.class, f -> assertThat(f.error().code()).isEqualTo("url_not_found"));
        origin.close();
    }
}
