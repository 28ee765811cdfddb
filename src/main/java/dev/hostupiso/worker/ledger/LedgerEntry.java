package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.hostupiso.worker.job.IsoRequest;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobState;
import dev.hostupiso.worker.outcome.OutcomeEvent;

import java.time.Instant;

/**
 * One request's record in the job ledger (value of the compacted ledger topic, key = requestId).
 * The latest record per key is the request's state.
 *
 * @param sourcePartition partition of the request record that created this entry (= ledger partition)
 * @param sourceOffset    offset of that record: a redelivery of the same record is recognised by it
 * @param submissions     SUBMITTING records so far: from-url calls that may have queued a download
 * @param outcome         the published outcome, once terminal
 * @param mountCalls      mount calls made so far (recorded from MOUNTING on)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LedgerEntry(int version, String requestId, JobState state, IsoRequest request, Instant receivedAt,
                          Instant deadline, String jobId, String pollUrl, int fromUrlCalls, int submissions,
                          int polls, boolean alreadyExisted, int sourcePartition, long sourceOffset, Instant updatedAt,
                          OutcomeEvent outcome, int mountCalls) {

    /**
     * 2: a from-url call is preceded by a SUBMITTING record. A version-1 RECEIVED entry may hide a
     * call made before the crash, so it is resumed as SUBMITTING.
     */
    static final int VERSION = 2;

    public static LedgerEntry received(JobContext ctx, long sourceOffset, Instant now) {
        return new LedgerEntry(VERSION, ctx.request().requestId(), JobState.RECEIVED, ctx.request(), ctx.receivedAt(),
                ctx.deadline(), null, null, 0, 0, 0, false, ctx.partition(), sourceOffset, now, null, 0);
    }

    /** The entry after {@code ctx} progressed to {@code newState}. */
    public LedgerEntry progressed(JobContext ctx, JobState newState, Instant now) {
        return new LedgerEntry(VERSION, requestId, newState, request, receivedAt, deadline, ctx.jobId(), ctx.pollUrl(),
                ctx.fromUrlCalls(), ctx.submissions(), ctx.polls(), ctx.alreadyExisted(), sourcePartition, sourceOffset, now, null,
                ctx.mountCalls());
    }

    /** The terminal entry: the request got {@code event}. */
    public LedgerEntry finished(OutcomeEvent event, Instant now) {
        JobState s = event.isCompleted() ? JobState.COMPLETED : JobState.FAILED;
        return new LedgerEntry(VERSION, requestId, s, request, receivedAt, deadline, event.jobId(), pollUrl,
                event.fromUrlCalls(), submissions, polls, alreadyExisted, sourcePartition, sourceOffset, now, event,
                event.apiCalls() == null ? mountCalls : event.apiCalls().mount());
    }

    /** A context to resume this (non-terminal) entry's job under assignment {@code epoch}. */
    public JobContext toContext(long epoch) {
        JobState resumeAt = version < 2 && state == JobState.RECEIVED ? JobState.SUBMITTING : state;
        return JobContext.resumed(request, receivedAt, deadline, sourcePartition, epoch, resumeAt, jobId, pollUrl,
                fromUrlCalls, submissions, polls, alreadyExisted, mountCalls);
    }

    /** What deduplication keeps of this terminal entry, written at {@code ledgerOffset}. */
    FinishedEntry toFinished(long ledgerOffset) {
        return new FinishedEntry(ledgerOffset, sourceOffset, updatedAt == null ? 0 : updatedAt.toEpochMilli());
    }

    /** This entry without the request's fields (for an outcome that Kafka refused at full size). */
    LedgerEntry withoutRequest() {
        IsoRequest bare = new IsoRequest(requestId, null, null, null, null);
        return new LedgerEntry(VERSION, requestId, state, bare, receivedAt, deadline, jobId, null, fromUrlCalls, submissions,
                polls, alreadyExisted, sourcePartition, sourceOffset, updatedAt, null, mountCalls);
    }

    public boolean isFrom(int partition, long offset) {
        return sourcePartition == partition && sourceOffset == offset;
    }
}
