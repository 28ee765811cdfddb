package dev.hostupiso.worker.simulator;

/**
 * How the simulator's own rate limiter writes the {@code Retry-After} header of a 429.
 */
public enum RetryAfterStyle {
    /** Whole seconds until the window ends (rounded up, at least 1), e.g. {@code Retry-After: 42}. */
    SECONDS,
    /** An RFC 1123 HTTP-date at (or just after) the window end, e.g. {@code Fri, 27 Nov 2026 10:00:00 GMT}. */
    HTTP_DATE
}
