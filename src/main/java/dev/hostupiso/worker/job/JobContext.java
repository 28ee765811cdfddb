package dev.hostupiso.worker.job;

import java.time.Instant;

/**
 * The mutable state of one request while it runs. Touched by one step at a time (the Mutiny chain
 * of that request), so it needs no locking.
 */
public final class JobContext {

    private final IsoRequest request;
    private final Instant receivedAt;
    private final Instant deadline;
    String jobId;
    String pollUrl;
    int fromUrlCalls;
    int polls;
    JobError lastTransientError;

    public JobContext(IsoRequest request, Instant receivedAt, Instant deadline) {
        this.request = request;
        this.receivedAt = receivedAt;
        this.deadline = deadline;
    }

    public IsoRequest request() {
        return request;
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    public Instant deadline() {
        return deadline;
    }

    public String jobId() {
        return jobId;
    }

    /** A log prefix naming the request and, once known, its HostUp job. */
    String tag() {
        return "requestId=" + request.requestId() + (jobId == null ? "" : " jobId=" + jobId);
    }
}
