package dev.hostupiso.worker.job;

import dev.hostupiso.worker.config.PreflightMode;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.PreflightReport;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PreflightStep} against a scripted {@link UrlCheck}, without a network: what each preflight result records
 * in the job, when a redirect target is resolved again before from-url, and the error a refusal fails the job with.
 */
class PreflightStepResultsTest {

    private static final String URL = "https://releases.example.org/latest.iso";
    private final Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
    private final ManualClock clock = new ManualClock(t0);
    private final IsoRequest request = new IsoRequest("r-1", "vps_1", URL, "x.iso", "none");

    /** Answers the given results in turn; notes the URLs it was asked about. */
    private static final class ScriptedCheck implements UrlCheck {
        final PreflightMode mode;
        final Deque<PreflightResult> results = new ArrayDeque<>();
        final List<String> asked = new ArrayList<>();

        ScriptedCheck(PreflightMode mode, PreflightResult... results) {
            this.mode = mode;
            this.results.addAll(List.of(results));
        }

        @Override
        public PreflightMode mode() {
            return mode;
        }

        @Override
        public Uni<PreflightResult> check(String url) {
            asked.add(url);
            return Uni.createFrom().item(results.poll());
        }
    }

    private JobContext job() {
        return new JobContext(request, t0, t0.plusSeconds(3600), 0, 1);
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(5));
    }

    // --- the first probe ------------------------------------------------------------------------

    @Test
    void aRedirectIsRecordedWithItsTargetItsCountTheSizeAndWhenItWasResolved() {
        ScriptedCheck check = new ScriptedCheck(PreflightMode.RESOLVE,
                new PreflightResult.Resolved("https://cdn.example.net/x.iso?sig=1",
                        List.of("https://mirror.example.org/x.iso", "https://cdn.example.net/x.iso?sig=1"), 4_096L));
        JobContext ctx = job();
        await(new PreflightStep(check, clock).run(ctx));
        assertThat(check.asked).containsExactly(URL);
        assertThat(ctx.preflight()).isEqualTo(new PreflightReport(PreflightReport.RESOLVED, null, 2));
        assertThat(ctx.urlToSubmit()).isEqualTo("https://cdn.example.net/x.iso?sig=1");
        assertThat(ctx.resolvedUrl()).isEqualTo("https://cdn.example.net/x.iso?sig=1");
        assertThat(ctx.preflighted().resolvedAt()).isEqualTo(t0);
        assertThat(ctx.expectedBytes()).isEqualTo(4_096L);
    }

    @Test
    void aPassIsRecordedWithTheSizeAndTheRequestsOwnUrlIsSubmitted() {
        JobContext ctx = job();
        await(new PreflightStep(new ScriptedCheck(PreflightMode.CHECK, new PreflightResult.Passed(1_000L)), clock).run(ctx));
        assertThat(ctx.preflight()).isEqualTo(new PreflightReport(PreflightReport.PASSED, null, 0));
        assertThat(ctx.urlToSubmit()).isEqualTo(URL);
        assertThat(ctx.expectedBytes()).isEqualTo(1_000L);
    }

    @Test
    void aSkipIsRecordedWithItsReasonCutToTheBoundAndItsRedirects() {
        String longReason = "x".repeat(1_000);
        JobContext ctx = job();
        await(new PreflightStep(new ScriptedCheck(PreflightMode.RESOLVE,
                new PreflightResult.Skipped(longReason, List.of("https://a.example.org/1"))), clock).run(ctx));
        assertThat(ctx.preflight().status()).isEqualTo(PreflightReport.SKIPPED);
        assertThat(ctx.preflight().redirects()).isEqualTo(1);
        assertThat(ctx.preflight().reason()).hasSizeLessThan(longReason.length()).startsWith("xxx");
        assertThat(ctx.urlToSubmit()).isEqualTo(URL);
        assertThat(ctx.expectedBytes()).isNull();
    }

    @Test
    void aRefusalIsRecordedAndFailsTheJobNotRetryable() {
        JobContext ctx = job();
        PreflightStep step = new PreflightStep(new ScriptedCheck(PreflightMode.CHECK, new PreflightResult.Refused(
                PreflightResult.URL_REDIRECTS, "redirects to another host", List.of("https://b.example.org/x.iso"))), clock);
        assertThatThrownBy(() -> await(step.run(ctx))).isInstanceOfSatisfying(JobFailure.class, f -> {
            assertThat(f.error().code()).isEqualTo(PreflightResult.URL_REDIRECTS);
            assertThat(f.error().title()).isEqualTo("The URL redirects");
            assertThat(f.error().retryable()).isFalse();
        });
        assertThat(ctx.preflight()).isEqualTo(new PreflightReport(PreflightReport.REFUSED, "redirects to another host", 1));
    }

    @Test
    void nothingIsProbedWhenThePreflightIsOffOrAlreadyRecordedOrTheJobIsCancelled() {
        ScriptedCheck off = new ScriptedCheck(PreflightMode.OFF, new PreflightResult.Passed());
        JobContext a = job();
        await(new PreflightStep(off, clock).run(a));
        assertThat(off.asked).isEmpty();
        assertThat(a.preflight()).isNull();

        JobContext b = job();
        await(PreflightStep.off().run(b));
        assertThat(b.preflight()).isNull();

        ScriptedCheck check = new ScriptedCheck(PreflightMode.CHECK, new PreflightResult.Passed());
        JobContext recorded = job().withPreflight(null, new PreflightReport(PreflightReport.PASSED, null, 0));
        await(new PreflightStep(check, clock).run(recorded));
        assertThat(check.asked).isEmpty();

        JobContext cancelled = job();
        cancelled.cancel();
        assertThatThrownBy(() -> await(new PreflightStep(check, clock).run(cancelled)))
                .isInstanceOf(JobCancelledException.class);
        assertThat(check.asked).isEmpty();
    }

    @Test
    void eachRefusalCodeHasItsOwnTitle() {
        assertThat(title(PreflightResult.URL_REDIRECTS)).isEqualTo("The URL redirects");
        assertThat(title(PreflightResult.FILE_TOO_LARGE)).isEqualTo("The file is too large for HostUp");
        assertThat(title(PreflightResult.URL_NOT_FOUND)).isEqualTo("The URL was not found");
        assertThat(title("something_else")).isEqualTo("The URL was refused");
    }

    private static String title(String code) {
        JobError e = PreflightStep.error(new PreflightResult.Refused(code, "why", List.of()));
        assertThat(e.detail()).isEqualTo("why");
        return e.title();
    }

    // --- before each from-url -------------------------------------------------------------------

    private JobContext resolvedJob(ScriptedCheck check) {
        check.results.addFirst(new PreflightResult.Resolved("https://cdn.example.net/x.iso?sig=1",
                List.of("https://cdn.example.net/x.iso?sig=1")));
        JobContext ctx = job();
        await(new PreflightStep(check, clock).run(ctx));
        check.asked.clear();
        return ctx;
    }

    @Test
    void aTargetResolvedLessThanThirtySecondsAgoIsSubmittedAsItIsAndOneThatOldIsResolvedAgain() {
        ScriptedCheck check = new ScriptedCheck(PreflightMode.RESOLVE, new PreflightResult.Resolved(
                "https://cdn.example.net/x.iso?sig=2", List.of("https://cdn.example.net/x.iso?sig=2")));
        JobContext ctx = resolvedJob(check);
        PreflightStep step = new PreflightStep(check, clock);
        clock.advance(Duration.ofSeconds(30).minusMillis(1));
        assertThat(await(step.urlForSubmit(ctx))).isEqualTo("https://cdn.example.net/x.iso?sig=1");
        assertThat(check.asked).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(await(step.urlForSubmit(ctx))).isEqualTo("https://cdn.example.net/x.iso?sig=2");
        assertThat(check.asked).containsExactly(URL);
        assertThat(ctx.resolvedUrl()).isEqualTo("https://cdn.example.net/x.iso?sig=2");
        assertThat(ctx.preflighted().resolvedAt()).isEqualTo(t0.plusSeconds(30));
    }

    @Test
    void aUrlThatNoLongerRedirectsIsSubmittedItselfAndOneThatCannotBeSeenKeepsTheLastTarget() {
        ScriptedCheck check = new ScriptedCheck(PreflightMode.RESOLVE,
                new PreflightResult.Skipped("origin unreachable", List.of()), new PreflightResult.Passed());
        JobContext ctx = resolvedJob(check);
        PreflightStep step = new PreflightStep(check, clock);
        clock.advance(Duration.ofMinutes(5));
        assertThat(await(step.urlForSubmit(ctx))).isEqualTo("https://cdn.example.net/x.iso?sig=1");
        assertThat(ctx.preflight().status()).as("a skip changes nothing recorded").isEqualTo(PreflightReport.RESOLVED);
        assertThat(await(step.urlForSubmit(ctx))).isEqualTo(URL);
        assertThat(ctx.resolvedUrl()).isNull();
        assertThat(ctx.preflight()).isEqualTo(new PreflightReport(PreflightReport.PASSED, null, 0));
    }

    @Test
    void aTargetThatIsNowRefusedFailsTheJobBeforeFromUrl() {
        ScriptedCheck check = new ScriptedCheck(PreflightMode.RESOLVE, new PreflightResult.Refused(
                PreflightResult.URL_NOT_FOUND, "404 at the target", List.of("https://cdn.example.net/x.iso?sig=2")));
        JobContext ctx = resolvedJob(check);
        clock.advance(Duration.ofMinutes(5));
        assertThatThrownBy(() -> await(new PreflightStep(check, clock).urlForSubmit(ctx)))
                .isInstanceOfSatisfying(JobFailure.class, f -> assertThat(f.error().code()).isEqualTo("url_not_found"));
        assertThat(ctx.preflight()).isEqualTo(new PreflightReport(PreflightReport.REFUSED, "404 at the target", 1));
    }

    @Test
    void noResolutionBeforeFromUrlWhenNothingWasResolvedOrThePreflightIsOff() {
        ScriptedCheck check = new ScriptedCheck(PreflightMode.CHECK, new PreflightResult.Passed());
        JobContext plain = job();
        await(new PreflightStep(check, clock).run(plain));
        check.asked.clear();
        clock.advance(Duration.ofMinutes(5));
        assertThat(await(new PreflightStep(check, clock).urlForSubmit(plain))).isEqualTo(URL);
        assertThat(check.asked).isEmpty();

        JobContext resumed = job().withPreflight("https://cdn.example.net/x.iso?sig=1",
                new PreflightReport(PreflightReport.RESOLVED, null, 1));
        ScriptedCheck off = new ScriptedCheck(PreflightMode.OFF, new PreflightResult.Passed());
        assertThat(await(new PreflightStep(off, clock).urlForSubmit(resumed))).isEqualTo("https://cdn.example.net/x.iso?sig=1");
        assertThat(await(PreflightStep.off().urlForSubmit(resumed))).isEqualTo("https://cdn.example.net/x.iso?sig=1");
        assertThat(off.asked).isEmpty();

        ScriptedCheck resolve = new ScriptedCheck(PreflightMode.RESOLVE, new PreflightResult.Resolved(
                "https://cdn.example.net/x.iso?sig=9", List.of("https://cdn.example.net/x.iso?sig=9")));
        assertThat(await(new PreflightStep(resolve, clock).urlForSubmit(resumed)))
                .as("a resumed job's target has no resolution time here: resolved again")
                .isEqualTo("https://cdn.example.net/x.iso?sig=9");
    }
}
