package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.hostupiso.worker.job.IsoRequest;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobState;
import dev.hostupiso.worker.messaging.OutcomeEvent;

import java.time.Instant;

/**
 * One request's record in the job ledger (value of the compacted ledger topic, key = requestId).
 * The latest record per key is the request's state.
 *
 * @param sourcePartition partition of the request record that created this entry (= ledger partition)
 * @param sourceOffset    offset of that record: a redelivery of the same record is recognised by it
 * @param outcome         the published outcome, once terminal
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LedgerEntry(int version, String requestId, JobState state, IsoRequest request, Instant receivedAt,
                          Instant deadline, String jobId, String pollUrl, int fromUrlCalls, int polls,
                          boolean alreadyExisted, int sourcePartition, long sourceOffset, Instant updatedAt,
                          OutcomeEvent outcome) {

    static final int VERSION = 1;

    public static LedgerEntry received(JobContext ctx, long sourceOffset, Instant now) {
        return new LedgerEntry(VERSION, ctx.request().requestId(), JobState.RECEIVED, ctx.request(), ctx.receivedAt(),
                ctx.deadline(), null, null, 0, 0, false, ctx.partition(), sourceOffset, now, null);
    }

    /** The entry after {@code ctx} progressed to {@code newState}. */
    public LedgerEntry progressed(JobContext ctx, JobState newState, Instant now) {
        return new LedgerEntry(VERSION, requestId, newState, request, receivedAt, deadline, ctx.jobId(), ctx.pollUrl(),
                ctx.fromUrlCalls(), ctx.polls(), ctx.alreadyExisted(), sourcePartition, sourceOffset, now, null);
    }

    /** The terminal entry: the request got {@code event}. */
    public LedgerEntry finished(OutcomeEvent event, Instant now) {
        JobState s = event.isCompleted() ? JobState.COMPLETED : JobState.FAILED;
        return new LedgerEntry(VERSION, requestId, s, request, receivedAt, deadline, event.jobId(), pollUrl,
                event.attempts(), polls, alreadyExisted, sourcePartition, sourceOffset, now, event);
    }

    /** A context to resume this (non-terminal) entry's job. */
    public JobContext toContext() {
        return JobContext.resumed(request, receivedAt, deadline, sourcePartition, state, jobId, pollUrl, fromUrlCalls,
                polls, alreadyExisted);
    }

    public boolean isFrom(int partition, long offset) {
        return sourcePartition == partition && sourceOffset == offset;
    }
}
