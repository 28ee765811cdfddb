package dev.hostupiso.worker.job;

/**
 * A from-url call got an answer that does not say whether HostUp queued the download (a timeout or
 * reset after the request was sent, a 5xx). Calling again could queue a second download, so the
 * job looks in the ISO library instead (see {@link IsoJobRunner}).
 */
public final class AmbiguousSubmitException extends RuntimeException {

    private final JobError error;

    public AmbiguousSubmitException(JobError error) {
        super(error.code() + ": " + error.detail(), null, false, false);
        this.error = error;
    }

    /** What the request fails with if the download never shows up. */
    public JobError error() {
        return error;
    }
}
