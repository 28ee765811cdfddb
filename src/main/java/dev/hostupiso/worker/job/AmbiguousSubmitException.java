package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.JobError;

/**
 * A non-idempotent call (from-url, mount) got an answer that does not tell
 * whether HostUp acted on it: a timeout or a broken connection after the request was sent, a 500,
 * 502, 504, 409 {@code upstream_failed}, or a 503 / HTML error page that is not HostUp's own problem
 * answer. Repeating it blindly could start a second download, so the {@link HostUpPort} does not;
 * the caller decides (e.g. reads the ISO library before submitting again).
 */
public final class AmbiguousSubmitException extends RuntimeException {

    private final JobError error;

    public AmbiguousSubmitException(JobError error, Throwable cause) {
        super("ambiguous answer to a non-idempotent call: " + error.code() + ": " + error.detail(), cause, false, false);
        this.error = error;
    }

    /** What the request's failed event would carry (retryable), had the call been an ordinary one. */
    public JobError error() {
        return error;
    }
}
