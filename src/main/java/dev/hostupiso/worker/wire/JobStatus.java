package dev.hostupiso.worker.wire;

import java.util.Optional;

/**
 * A job's state as read from either envelope HostUp may answer a poll with: the documented generic
 * {@code {"success":…,"data":{state,status,isCompleted,…}}} or the v2 {@code {"operation":{status,…}}}
 * (the HostUp adapter reads them). Bounded on construction: the failure detail is cut to
 * {@link Bounds#DETAIL}; a job id or poll URL longer than {@link Bounds#JOB_ID} / {@link Bounds#POLL_URL}
 * is treated as absent (a cut identifier would name another job).
 *
 * @param progress      percentage 0–100 when reported
 * @param failureDetail what the job said about its failure ({@code result} as text), if failed
 * @param bytes         bytes done of bytes total ({@code progressDetails.current}/{@code total}) when both
 *                      are reported and make sense
 */
public record JobStatus(State state, Optional<String> jobId, Optional<Integer> progress,
                        Optional<String> pollUrl, Optional<String> failureDetail, Optional<Bytes> bytes) {

    /** Download progress in bytes: {@code 0 <= done <= total}, {@code total > 0}. */
    public record Bytes(long done, long total) {
        public Bytes {
            if (total <= 0 || done < 0 || done > total) {
                throw new IllegalArgumentException("bytes " + done + " of " + total);
            }
        }
    }

    public JobStatus(State state, Optional<String> jobId, Optional<Integer> progress, Optional<String> pollUrl,
                     Optional<String> failureDetail) {
        this(state, jobId, progress, pollUrl, failureDetail, Optional.empty());
    }

    /**
     * How far the download is, 0–1: from bytes when reported (finer than a whole percentage), else
     * from the percentage; empty when the job says nothing about its progress.
     */
    public Optional<Double> fraction() {
        if (bytes.isPresent()) {
            return Optional.of((double) bytes.get().done() / bytes.get().total());
        }
        return progress.map(p -> p / 100.0);
    }

    public JobStatus {
        jobId = Bounds.identifier(jobId, Bounds.JOB_ID);
        pollUrl = Bounds.identifier(pollUrl, Bounds.POLL_URL);
        progress = progress == null ? Optional.empty() : progress;
        failureDetail = failureDetail == null ? Optional.empty() : failureDetail.map(d -> Bounds.truncate(d, Bounds.DETAIL));
        bytes = bytes == null ? Optional.empty() : bytes;
    }

    public enum State { PENDING, RUNNING, COMPLETED, FAILED }
}
