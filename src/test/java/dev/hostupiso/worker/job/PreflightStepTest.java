package dev.hostupiso.worker.job;

import dev.hostupiso.worker.config.PreflightMode;
import dev.hostupiso.worker.preflight.AddressGuard;
import dev.hostupiso.worker.preflight.PreflightSettings;
import dev.hostupiso.worker.preflight.StubResolver;
import dev.hostupiso.worker.preflight.UrlPreflight;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The step before from-url: probes once, records what it found, and leaves a recorded finding alone. */
class PreflightStepTest {

    private final Vertx vertx = Vertx.vertx();
    private final StubResolver resolver = new StubResolver(); // knows no name: every probe is "unknown host"
    private final Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
    private final IsoRequest request = new IsoRequest("r-1", "vps_1", "https://releases.example.org/x.iso", "x.iso", "none");

    @AfterEach
    void close() {
        vertx.close();
    }

    private PreflightStep step(PreflightMode mode) {
        return new PreflightStep(new UrlPreflight(vertx, new PreflightSettings(mode, 5, Duration.ofSeconds(1),
                AddressGuard.strict(), PreflightSettings.HOSTUP_MAX_BYTES), resolver));
    }

    @Test
    void aNewRequestIsProbedAndTheFindingKept() {
        JobContext ctx = new JobContext(request, t0, t0.plusSeconds(60), 0, 1);
        step(PreflightMode.RESOLVE).run(ctx).await().atMost(Duration.ofSeconds(10));
        assertThat(resolver.asked()).containsExactly("releases.example.org");
        assertThat(ctx.preflight()).isEqualTo(new PreflightReport("skipped", "unknown host releases.example.org", 0));
        assertThat(ctx.urlToSubmit()).isEqualTo(request.url());
    }

    @Test
    void aResumedJobWithARecordedFindingIsNotProbedAgain() {
        JobContext ctx = JobContext.resumed(request, t0, t0.plusSeconds(60), 0, 2, JobState.RECEIVED, null, null, 0, 0, 0, false)
                .withPreflight("https://cdn.example.net/x.iso?sig=1", new PreflightReport("resolved", null, 1));
        step(PreflightMode.RESOLVE).run(ctx).await().atMost(Duration.ofSeconds(10));
        assertThat(resolver.asked()).isEmpty();
        assertThat(ctx.urlToSubmit()).isEqualTo("https://cdn.example.net/x.iso?sig=1");
        JobResult result = JobResult.failed(ctx, JobError.of("job_timeout", "t", "d", true));
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
        JobError e = PreflightStep.error(new dev.hostupiso.worker.preflight.PreflightResult.Refused("file_too_large", "too big",
                List.of()));
        assertThat(e.code()).isEqualTo("file_too_large");
        assertThat(e.retryable()).isFalse();
        assertThat(e.httpStatus()).isNull();
    }
}
