package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.job.AmbiguousSubmitException;

/** Whether repeating a HostUp call is harmless: it decides which failures {@link RetryingCaller} may retry. */
public enum Idempotency {
    /** Reads (poll, ISO library): any transient failure is retried. */
    IDEMPOTENT,
    /**
     * from-url: a repeat can start a second download. Only answers that prove HostUp did not act are
     * retried; an ambiguous one fails the call with {@link AmbiguousSubmitException}.
     */
    NONE
}
