package dev.hostupiso.worker.wire;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;

/**
 * The outcome event published on the events topic, keyed by {@code requestId}. Schema:
 * {@code src/main/resources/schemas/iso-download-outcome.schema.json}.
 *
 * @param fromUrlCalls from-url calls made, published as {@code attempts} (its contract name since the
 *                     first version; {@code apiCalls.fromUrl} carries the same count)
 * @param account      the account the request named, echoed; absent when it named none (the default account)
 * @param receivedAt   when the worker took the request; also published as {@code submittedAt}, its
 *                     older, misleading name, kept for consumers that read it
 * @param requestTopic the topic the request was read from, which decides the account it may use;
 *                     absent in outcomes recorded before it was kept
 */
// submittedAt is written for consumers but read as receivedAt (its alias), so older ledger records still load.
@JsonIgnoreProperties(value = "submittedAt", allowGetters = true)
@JsonPropertyOrder({"requestId", "vpsId", "filename", "account", "status", "isoId", "jobId", "alreadyExisted", "attempts", "apiCalls",
        "resolvedUrl", "preflight", "mounted", "receivedAt", "submittedAt", "finishedAt", "requestTopic", "error"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutcomeEvent(String requestId, String vpsId, String filename, String account, String status, String isoId,
                           @JsonInclude(JsonInclude.Include.ALWAYS) String jobId, Boolean alreadyExisted,
                           @JsonProperty("attempts") int fromUrlCalls, ApiCalls apiCalls, String resolvedUrl,
                           PreflightReport preflight, Mounted mounted, @JsonAlias("submittedAt") Instant receivedAt, Instant finishedAt,
                           JobError error, String requestTopic) {

    /** The CloudEvents {@code ce_type} prefix of every event the worker publishes. */
    public static final String TYPE_PREFIX = "dev.hostupiso.iso.download.";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    /** An outcome that does not say which topic its request came from. */
    public OutcomeEvent(String requestId, String vpsId, String filename, String account, String status, String isoId, String jobId,
                        Boolean alreadyExisted, int fromUrlCalls, ApiCalls apiCalls, String resolvedUrl, PreflightReport preflight,
                        Mounted mounted, Instant receivedAt, Instant finishedAt, JobError error) {
        this(requestId, vpsId, filename, account, status, isoId, jobId, alreadyExisted, fromUrlCalls, apiCalls, resolvedUrl,
                preflight, mounted, receivedAt, finishedAt, error, null);
    }

    /** This outcome, saying that its request was read from {@code topic}. */
    public OutcomeEvent fromTopic(String topic) {
        return new OutcomeEvent(requestId, vpsId, filename, account, status, isoId, jobId, alreadyExisted, fromUrlCalls, apiCalls,
                resolvedUrl, preflight, mounted, receivedAt, finishedAt, error, topic);
    }

    public static OutcomeEvent of(IsoRequest req, JobResult result, Instant receivedAt, Instant finishedAt) {
        return result.completed()
                ? new OutcomeEvent(req.requestId(), req.vpsId(), req.filename(), req.account(), COMPLETED, result.isoId(), result.jobId(),
                        result.alreadyExisted(), result.fromUrlCalls(), result.apiCalls(), result.resolvedUrl(),
                        result.preflight(), result.mounted(), receivedAt, finishedAt, null)
                : new OutcomeEvent(req.requestId(), req.vpsId(), req.filename(), req.account(), FAILED, null, result.jobId(), null,
                        result.fromUrlCalls(), result.apiCalls(), result.resolvedUrl(), result.preflight(), null,
                        receivedAt, finishedAt, result.error());
    }

    /** A failure decided without a job result (refused locally, or a record Kafka would not take). */
    public static OutcomeEvent failed(IsoRequest req, String jobId, int fromUrlCalls, JobError error, Instant receivedAt,
                                      Instant finishedAt) {
        return new OutcomeEvent(req.requestId(), req.vpsId(), req.filename(), req.account(), FAILED, null, jobId, null, fromUrlCalls,
                new ApiCalls(fromUrlCalls, 0, 0, 0), null, null, null, receivedAt, finishedAt, error);
    }

    /** {@link #receivedAt()} under its first name, which said "submitted" of a time HostUp was not yet called. */
    @JsonProperty("submittedAt")
    public Instant submittedAt() {
        return receivedAt;
    }

    /**
     * The same outcome with every free-text and echoed field dropped: what is published when Kafka
     * refuses the full event. The error code and retryability stay; {@code reason} says why.
     */
    public OutcomeEvent withoutDetails(String reason) {
        JobError bare = error == null ? null
                : new JobError(error.code().length() > Bounds.CODE ? "worker_error" : error.code(), "Outcome details dropped",
                        "The full outcome could not be recorded (" + reason + ")", error.httpStatus(), error.retryable(),
                        null, null);
        return new OutcomeEvent(requestId, null, null, account, status, isoId, jobId, alreadyExisted, fromUrlCalls, apiCalls, null,
                null, mounted, receivedAt, finishedAt, bare, requestTopic);
    }

    @JsonIgnore // not a field of the contract
    public boolean isCompleted() {
        return COMPLETED.equals(status);
    }
}
