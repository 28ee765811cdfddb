package dev.hostupiso.worker.outcome;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.hostupiso.worker.job.IsoRequest;
import dev.hostupiso.worker.job.JobError;
import dev.hostupiso.worker.job.JobResult;

import java.time.Instant;

/**
 * The outcome event published on the events topic, keyed by {@code requestId}. Schema:
 * {@code src/main/resources/schemas/iso-download-outcome.schema.json}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutcomeEvent(String requestId, String vpsId, String filename, String status, String isoId,
                           @JsonInclude(JsonInclude.Include.ALWAYS) String jobId, Boolean alreadyExisted,
                           int attempts, Instant submittedAt, Instant finishedAt, JobError error) {

    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    public static OutcomeEvent of(IsoRequest req, JobResult result, Instant submittedAt, Instant finishedAt) {
        return result.completed()
                ? new OutcomeEvent(req.requestId(), req.vpsId(), req.filename(), COMPLETED, result.isoId(), result.jobId(),
                        result.alreadyExisted(), result.attempts(), submittedAt, finishedAt, null)
                : failed(req, result.jobId(), result.attempts(), result.error(), submittedAt, finishedAt);
    }

    public static OutcomeEvent failed(IsoRequest req, String jobId, int attempts, JobError error, Instant submittedAt,
                                      Instant finishedAt) {
        return new OutcomeEvent(req.requestId(), req.vpsId(), req.filename(), FAILED, null, jobId, null, attempts,
                submittedAt, finishedAt, error);
    }

    /**
     * The same outcome with every free-text and echoed field dropped: what is published when Kafka
     * refuses the full event. The error code and retryability stay; {@code reason} says why.
     */
    public OutcomeEvent withoutDetails(String reason) {
        JobError bare = error == null ? null
                : new JobError(error.code().length() > 64 ? "worker_error" : error.code(), "Outcome details dropped",
                        "The full outcome could not be recorded (" + reason + ")", error.httpStatus(), error.retryable(),
                        null, null);
        return new OutcomeEvent(requestId, null, null, status, isoId, jobId, alreadyExisted, attempts, submittedAt,
                finishedAt, bare);
    }

    @JsonIgnore // not a field of the contract
    public boolean isCompleted() {
        return COMPLETED.equals(status);
    }
}
