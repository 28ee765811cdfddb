package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.JobError;

import java.time.Duration;
import java.util.Optional;

/**
 * A HostUp call that failed in a way worth trying again (429, 5xx, 408, a transient 409, a transport
 * error), with what the answer said about when: its {@code Retry-After}, already read against the
 * answer's {@code Date}. A control-flow signal inside the HostUp adapter's retrying caller, so no stack trace.
 */
public final class TransientFailure extends RuntimeException {

    private final transient JobError error;
    private final transient Optional<Duration> retryAfter;
    private final boolean rateLimited;

    public TransientFailure(String description, JobError error, Optional<Duration> retryAfter, boolean rateLimited) {
        super(description, null, false, false);
        this.error = error;
        this.retryAfter = retryAfter;
        this.rateLimited = rateLimited;
    }

    /** The error the job ends with if no later try succeeds before its deadline. */
    public JobError error() {
        return error;
    }

    /** The server's requested wait, if it named one. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /** A 429: the key is over its limit, so every call of the process waits, not only this one. */
    public boolean rateLimited() {
        return rateLimited;
    }
}
