package dev.hostupiso.worker.simulator;

/**
 * The JSON envelope a job poll ({@code GET /api/jobs/{jobId}}) answers with.
 */
public enum JobEnvelope {
    /**
     * The documented, older generic envelope:
     * {@code {"success":true,"timestamp":…,"requestId":…,"data":{jobId,state,status,progress,progressDetails,
     * progressMessage,result,isCompleted,isFailed,isRunning,isWaiting,createdAt,finishedAt}}}.
     */
    V1_GENERIC,
    /** The inferred v2 envelope, the same as from-url's: {@code {"operation":{status,jobId,pollUrl,result}}}. */
    V2_OPERATION
}
