package dev.hostupiso.worker.job;

import dev.hostupiso.worker.config.PreflightMode;
import dev.hostupiso.worker.hostup.Bounds;
import dev.hostupiso.worker.hostup.UrlRedactor;
import dev.hostupiso.worker.preflight.PreflightResult;
import dev.hostupiso.worker.preflight.UrlPreflight;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * The step before a request's first from-url: the URL preflight. It records in the context what
 * was found, the file's size included (the first ledger record that follows makes it durable, so a
 * resumed job is not probed again) and fails the job when the origin answered what HostUp would refuse.
 */
@ApplicationScoped
public class PreflightStep {

    private static final Logger LOG = Logger.getLogger(PreflightStep.class);

    private final UrlPreflight preflight;

    public PreflightStep(UrlPreflight preflight) {
        this.preflight = preflight;
    }

    /** A step that never probes, as with {@code ISO_URL_PREFLIGHT=off}: for a runner built by hand. */
    public static PreflightStep off() {
        return new PreflightStep(null);
    }

    /** Probes {@code ctx}'s URL unless it was probed already or the preflight is off; fails with {@link JobFailure} when refused. */
    Uni<Void> run(JobContext ctx) {
        if (preflight == null || ctx.preflight != null || preflight.mode() == PreflightMode.OFF) {
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

    private static void apply(JobContext ctx, PreflightResult result) {
        int redirects = result.redirects();
        ctx.expectedBytes = result.bytes();
        if (result instanceof PreflightResult.Resolved r) {
            ctx.resolvedUrl = r.finalUrl();
            ctx.preflight = new PreflightReport(PreflightReport.RESOLVED, null, redirects);
            JobLog.info(LOG, ctx, "URL preflight: %s redirects to %s, which is submitted",
                    UrlRedactor.redact(ctx.request().url()), UrlPreflight.redactedChain(r.chain()));
        } else if (result instanceof PreflightResult.Skipped s) {
            ctx.preflight = new PreflightReport(PreflightReport.SKIPPED, reason(s.reason()), redirects);
            JobLog.info(LOG, ctx, "URL preflight skipped (%s): submitting the URL as given", s.reason());
        } else if (result instanceof PreflightResult.Refused r) {
            ctx.preflight = new PreflightReport(PreflightReport.REFUSED, reason(r.reason()), redirects);
            JobLog.info(LOG, ctx, "URL preflight refused the URL: %s (%s)", r.code(), r.reason());
            throw new JobFailure(error(r));
        } else {
            ctx.preflight = new PreflightReport(PreflightReport.PASSED, null, 0);
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
