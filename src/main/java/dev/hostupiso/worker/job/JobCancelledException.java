package dev.hostupiso.worker.job;

/**
 * Stops a job this instance no longer owns (its partition was revoked, or the worker is shutting
 * down). Its state is in the ledger; the partition's next owner resumes it.
 */
public final class JobCancelledException extends RuntimeException {

    public JobCancelledException(String requestId) {
        super("requestId=" + requestId + " handed over", null, false, false);
    }
}
