package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.JobError;

/** Ends a job with a {@link JobError}; a control-flow signal inside the job pipeline, so no stack trace. */
public final class JobFailure extends RuntimeException {

    private final JobError error;

    public JobFailure(JobError error) {
        super(error.code() + ": " + error.detail(), null, false, false);
        this.error = error;
    }

    public JobError error() {
        return error;
    }
}
