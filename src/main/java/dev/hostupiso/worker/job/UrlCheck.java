package dev.hostupiso.worker.job;

import dev.hostupiso.worker.config.PreflightMode;
import io.smallrye.mutiny.Uni;

/**
 * The URL preflight as the job sees it: the worker's own look at a request's URL before from-url.
 * The preflight adapter is the real one.
 */
public interface UrlCheck {

    /** {@code off}, {@code check} or {@code resolve}: whether URLs are looked at, and redirects followed. */
    PreflightMode mode();

    /** What the URL answers now; never fails (what cannot be seen is {@link PreflightResult.Skipped}). */
    Uni<PreflightResult> check(String url);
}
