package dev.hostupiso.worker.config;

/** What the worker does with a request's URL before from-url ({@code ISO_URL_PREFLIGHT}). */
public enum PreflightMode {
    /** Submit the URL as given, without looking at it. */
    OFF,
    /** Look at the URL; a redirect fails the request with {@code url_redirects}. */
    CHECK,
    /** Look at the URL and follow its redirects; the final URL is submitted. */
    RESOLVE
}
