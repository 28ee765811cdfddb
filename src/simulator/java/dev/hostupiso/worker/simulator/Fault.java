package dev.hostupiso.worker.simulator;

/** A fault the simulator injects at random ({@link FaultRates}) in place of (or after) normal handling. */
public enum Fault {
    /** 500 {@code internal_error} or 503 {@code upstream_unavailable} problem; nothing happened. */
    SERVER_ERROR,
    /** A reverse proxy's {@code text/html} 502; nothing happened. */
    HTML_502,
    /** The start (or continuation) of a 429 storm: {@code Retry-After: 1}, several calls in a row. */
    RATE_LIMITED,
    /** No answer for {@link FaultRates#stallFor()}, then the connection closes; nothing happened. */
    STALL,
    /** The connection closes at once without an answer; nothing happened. */
    RESET,
    /** A 500 problem of 2 MiB {@code detail} and 10,000 {@code errors[]}; nothing happened. */
    OVERSIZED,
    /** from-url only: the job IS queued, then the answer is lost (reset, 500, HTML 502 or stall). */
    LOST_AFTER_QUEUE
}
