package dev.hostupiso.worker.job;

import dev.hostupiso.worker.config.PreflightMode;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.PreflightReport;
import dev.hostupiso.worker.wire.UrlRedactor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The step before a request's first from-url: the URL preflight. It records in the context what
 * was found, the file's size included (the first ledger record that follows makes it durable, so a
 * resumed job is not probed again) and fails the job when the origin answered what HostUp would refuse. A URL that redirects
 * is resolved again before each from-url call ({@link #urlForSubmit}) unless it was resolved moments
 * ago: a redirect target signed for minutes expires during a 429 pause, a held key, the ambiguity
 * window or a resume, and HostUp would fail it.
 */
@ApplicationScoped
public class PreflightStep {

    private static final Logger LOG = Logger.getLogger(PreflightStep.class);
    /** A resolution younger than this is submitted as it is. */
    static final Duration FRESH = Duration.ofSeconds(30);

    private final UrlCheck preflight;
    private final Clock clock;

    @Inject
    public PreflightStep(UrlCheck preflight, Clock clock) {
        this.preflight = preflight;
        this.clock = clock;
    }

    /** A step that never probes, as with {@code ISO_URL_PREFLIGHT=off}: for a runner built by hand. */
    public static PreflightStep off() {
        return new PreflightStep(null, Clock.systemUTC());
    }

    /**
     * The URL to submit now: the request's own, or its redirect target, resolved again when the last
     * resolution is older than {@link #FRESH} (what is submitted is recorded in the context, for the
     * ledger and the outcome). Fails with {@link JobFailure} when the URL now answers what HostUp
     * would refuse; keeps the last target when the origin cannot be seen now.
     */
    Uni<String> urlForSubmit(JobContext ctx) {
        if (preflight == null || ctx.resolvedUrl() == null || preflight.mode() == PreflightMode.OFF
                || ctx.preflighted().resolvedAt() != null && clock.instant().isBefore(ctx.preflighted().resolvedAt().plus(FRESH))) {
            return Uni.createFrom().item(ctx.urlToSubmit());
        }
        return preflight.check(ctx.request().url()).map(result -> {
            if (result instanceof PreflightResult.Resolved r) {
                ctx.preflighted(p -> p.resolved(r.finalUrl(), clock.instant()));
                JobLog.info(LOG, ctx, "URL resolved again before from-url: %s", UrlRedactor.redactChain(r.chain()));
            } else if (result instanceof PreflightResult.Refused r) {
                ctx.preflighted(p -> p.withReport(new PreflightReport(PreflightReport.REFUSED, reason(r.reason()), r.redirects())));
                throw new JobFailure(error(r));
            } else if (result instanceof PreflightResult.Passed) {
                ctx.preflighted(Preflighted::unresolved); // the URL answers itself now: it is what HostUp takes
                ctx.preflighted(p -> p.withReport(new PreflightReport(PreflightReport.PASSED, null, 0)));
            } else {
                JobLog.info(LOG, ctx, "URL could not be resolved again (%s): submitting the target resolved before",
                        ((PreflightResult.Skipped) result).reason());
            }
            return ctx.urlToSubmit();
        });
    }

    /** Probes {@code ctx}'s URL unless it was probed already or the preflight is off; fails with {@link JobFailure} when refused. */
    Uni<Void> run(JobContext ctx) {
        if (preflight == null || ctx.preflight() != null || preflight.mode() == PreflightMode.OFF) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().deferred(() -> {
            ctx.ensureActive();
            return preflight.check(ctx.request().url());
        }).map(result -> {
            apply(ctx, result);
            return null;
        });
    }

    private void apply(JobContext ctx, PreflightResult result) {
        int redirects = result.redirects();
        ctx.preflighted(p -> p.withExpectedBytes(result.bytes()));
        if (result instanceof PreflightResult.Resolved r) {
            ctx.preflighted(p -> p.resolved(r.finalUrl(), clock.instant()));
            ctx.preflighted(p -> p.withReport(new PreflightReport(PreflightReport.RESOLVED, null, redirects)));
            JobLog.info(LOG, ctx, "URL preflight: %s redirects to %s, which is submitted",
                    UrlRedactor.redact(ctx.request().url()), UrlRedactor.redactChain(r.chain()));
        } else if (result instanceof PreflightResult.Skipped s) {
            ctx.preflighted(p -> p.withReport(new PreflightReport(PreflightReport.SKIPPED, reason(s.reason()), redirects)));
            JobLog.info(LOG, ctx, "URL preflight skipped (%s): submitting the URL as given", s.reason());
        } else if (result instanceof PreflightResult.Refused r) {
            ctx.preflighted(p -> p.withReport(new PreflightReport(PreflightReport.REFUSED, reason(r.reason()), redirects)));
            JobLog.info(LOG, ctx, "URL preflight refused the URL: %s (%s)", r.code(), r.reason());
            throw new JobFailure(error(r));
        } else {
            ctx.preflighted(p -> p.withReport(new PreflightReport(PreflightReport.PASSED, null, 0)));
            JobLog.debug(LOG, ctx, "URL preflight passed");
        }
    }

    /**
     * Not retryable: the same URL would fail the same way at HostUp. The requester needs another
     * URL (the final one of a redirect, a smaller or existing file).
     */
    static JobError error(PreflightResult.Refused r) {
        String title = switch (r.code()) {
            case PreflightResult.URL_REDIRECTS -> "The URL redirects";
            case PreflightResult.FILE_TOO_LARGE -> "The file is too large for HostUp";
            case PreflightResult.URL_NOT_FOUND -> "The URL was not found";
            default -> "The URL was refused";
        };
        return new JobError(r.code(), title, r.reason(), null, false, List.of(), null);
    }

    private static String reason(String reason) {
        return Bounds.truncate(reason, Bounds.PREFLIGHT_REASON);
    }
}
