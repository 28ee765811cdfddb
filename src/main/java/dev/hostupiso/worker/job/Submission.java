package dev.hostupiso.worker.job;

/**
 * What the submit step knows about the download it queued: written only by the runner's submit
 * step ({@link IsoJobRunner}, {@link SubmitRecorder}), each change a new value.
 *
 * @param jobId          HostUp's job, once from-url named one
 * @param pollUrl        where that job is polled
 * @param alreadyExisted from-url answered 200: the ISO was in the library before this request
 * @param submissions    from-url calls that may have queued a download (each preceded by a SUBMITTING record)
 */
public record Submission(String jobId, String pollUrl, boolean alreadyExisted, int submissions) {

    static final Submission NONE = new Submission(null, null, false, 0);

    Submission withJob(String jobId) {
        return new Submission(jobId, pollUrl, alreadyExisted, submissions);
    }

    Submission withPollUrl(String pollUrl) {
        return new Submission(jobId, pollUrl, alreadyExisted, submissions);
    }

    Submission withAlreadyExisted(boolean alreadyExisted) {
        return new Submission(jobId, pollUrl, alreadyExisted, submissions);
    }

    /** A from-url call goes on the wire: it may queue a download. */
    Submission onTheWire() {
        return new Submission(jobId, pollUrl, alreadyExisted, submissions + 1);
    }

    /** HostUp's answer proved the last call queued nothing. */
    Submission refused() {
        return new Submission(jobId, pollUrl, alreadyExisted, submissions - 1);
    }
}
