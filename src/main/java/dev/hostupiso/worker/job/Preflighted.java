package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.PreflightReport;

import java.time.Instant;

/**
 * What the URL preflight found: written only by {@link PreflightStep} (and restored when a job is
 * resumed), each change a new value.
 *
 * @param resolvedUrl   the URL it resolved and from-url submits, verbatim (it may carry a signed query); null: the request's own
 * @param resolvedAt    when {@code resolvedUrl} was resolved on this instance; null: not yet (a resumed job resolves again)
 * @param report        its report, null when none was made (preflight off, or not yet)
 * @param expectedBytes the file's size as the origin reported it; null when unknown. Sizes the ambiguity window
 */
public record Preflighted(String resolvedUrl, Instant resolvedAt, PreflightReport report, Long expectedBytes) {

    static final Preflighted NONE = new Preflighted(null, null, null, null);

    /** The URL redirects to {@code url}, resolved {@code at}. */
    Preflighted resolved(String url, Instant at) {
        return new Preflighted(url, at, report, expectedBytes);
    }

    /** The URL answers itself now: the request's own is submitted. */
    Preflighted unresolved() {
        return new Preflighted(null, resolvedAt, report, expectedBytes);
    }

    Preflighted withReport(PreflightReport report) {
        return new Preflighted(resolvedUrl, resolvedAt, report, expectedBytes);
    }

    Preflighted withExpectedBytes(Long expectedBytes) {
        return new Preflighted(resolvedUrl, resolvedAt, report, expectedBytes);
    }
}
