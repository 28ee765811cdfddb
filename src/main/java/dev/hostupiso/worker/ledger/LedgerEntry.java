package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobState;
import dev.hostupiso.worker.wire.ApiCalls;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.OutcomeEvent;
import dev.hostupiso.worker.wire.PreflightReport;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * One request's record in the job ledger (value of the compacted ledger topic, key = requestId).
 * The latest record per key is the request's state.
 *
 * @param sourcePartition partition of the request record that created this entry (= ledger partition)
 * @param sourceOffset    offset of that record: a redelivery of the same record is recognised by it
 * @param submissions     SUBMITTING records so far: from-url calls that may have queued a download
 * @param outcome         the published outcome, once terminal
 * @param resolvedUrl     the URL the preflight resolved and from-url submits, verbatim like the request's own
 *                        URL (it may carry a signed query); absent when the request's URL is submitted
 * @param preflight       what the preflight found, so a resumed job does not probe again; absent when
 *                        none was made (preflight off, or a record written before there was one)
 * @param apiCalls        HostUp calls the request cost so far, by endpoint; absent in records written
 *                        before it was kept (read as their from-url calls and polls)
 * @param expectedBytes   the file's size as the preflight's origin reported it, which sizes the ambiguity
 *                        window of a resumed job; absent when unknown
 * @param mountPollUrl    where the mount job queued by a mount call (a 202) is polled: a job resumed in
 *                        MOUNTING polls it instead of mounting again; absent when none is known (or it was not
 *                        keepable like a resolved URL)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LedgerEntry(int version, String requestId, JobState state, IsoRequest request, Instant receivedAt,
                          Instant deadline, String jobId, String pollUrl, int fromUrlCalls, int submissions,
                          int polls, boolean alreadyExisted, int sourcePartition, long sourceOffset, Instant updatedAt,
                          OutcomeEvent outcome, String resolvedUrl, PreflightReport preflight, ApiCalls apiCalls,
                          Long expectedBytes, String mountPollUrl) {

    /**
     * What a resolved URL may be to be kept: printable ASCII without quote or backslash (as every
     * URI is written), at most {@link Bounds#URL} chars, so it costs at most one byte per char in a
     * record. Anything else is dropped whole, never cut: the request's own URL is then submitted.
     */
    private static final Pattern KEEPABLE_URL = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1," + Bounds.URL + "}");

    public LedgerEntry {
        if (resolvedUrl != null && !KEEPABLE_URL.matcher(resolvedUrl).matches()) {
            resolvedUrl = null;
        }
        if (mountPollUrl != null && !KEEPABLE_URL.matcher(mountPollUrl).matches()) {
            mountPollUrl = null; // a resumed job then reads the VPS's mounts for the grace before mounting again
        }
    }

    /** An entry without a preflight or call counts (as records were before they were kept). */
    public LedgerEntry(int version, String requestId, JobState state, IsoRequest request, Instant receivedAt,
                       Instant deadline, String jobId, String pollUrl, int fromUrlCalls, int submissions,
                       int polls, boolean alreadyExisted, int sourcePartition, long sourceOffset, Instant updatedAt,
                       OutcomeEvent outcome) {
        this(version, requestId, state, request, receivedAt, deadline, jobId, pollUrl, fromUrlCalls, submissions, polls,
                alreadyExisted, sourcePartition, sourceOffset, updatedAt, outcome, null, null, null, null, null);
    }

    /**
     * 2: a from-url call is preceded by a SUBMITTING record. A version-1 RECEIVED entry may hide a
     * call made before the crash, so it is resumed as SUBMITTING.
     */
    static final int VERSION = 2;

    public static LedgerEntry received(JobContext ctx, long sourceOffset, Instant now) {
        return new LedgerEntry(VERSION, ctx.request().requestId(), JobState.RECEIVED, ctx.request(), ctx.receivedAt(),
                ctx.deadline(), null, null, 0, 0, 0, false, ctx.partition(), sourceOffset, now, null, null, null, ctx.apiCalls(),
                null, null);
    }

    /** The entry after {@code ctx} progressed to {@code newState}. */
    public LedgerEntry progressed(JobContext ctx, JobState newState, Instant now) {
        return new LedgerEntry(VERSION, requestId, newState, request, receivedAt, deadline, ctx.jobId(), ctx.pollUrl(),
                ctx.fromUrlCalls(), ctx.submissions(), ctx.polls(), ctx.alreadyExisted(), sourcePartition, sourceOffset, now, null,
                ctx.resolvedUrl(), ctx.preflight(), ctx.apiCalls(), ctx.expectedBytes(), ctx.mountPollUrl());
    }

    /** The terminal entry: the request got {@code event}. */
    public LedgerEntry finished(OutcomeEvent event, Instant now) {
        JobState s = event.isCompleted() ? JobState.COMPLETED : JobState.FAILED;
        return new LedgerEntry(VERSION, requestId, s, request, receivedAt, deadline, event.jobId(), pollUrl,
                event.fromUrlCalls(), submissions, polls, alreadyExisted, sourcePartition, sourceOffset, now, event, resolvedUrl,
                preflight, event.apiCalls() != null ? event.apiCalls() : apiCalls, expectedBytes, mountPollUrl);
    }

    /** A context to resume this (non-terminal) entry's job under assignment {@code epoch}. */
    public JobContext toContext(long epoch) {
        JobState resumeAt = version < 2 && state == JobState.RECEIVED ? JobState.SUBMITTING : state;
        return JobContext.resumed(request, receivedAt, deadline, sourcePartition, epoch, resumeAt, jobId, pollUrl,
                fromUrlCalls, submissions, polls, alreadyExisted, callsSoFar()).withPreflight(resolvedUrl, preflight)
                .withKnown(expectedBytes, mountPollUrl);
    }

    /** The calls recorded, or for a record written before they were kept, what it did count. */
    public ApiCalls callsSoFar() {
        return apiCalls != null ? apiCalls : new ApiCalls(fromUrlCalls, polls, 0, 0);
    }

    /** What deduplication keeps of this terminal entry, written at {@code ledgerOffset}. */
    FinishedEntry toFinished(long ledgerOffset) {
        return new FinishedEntry(ledgerOffset, sourceOffset, updatedAt == null ? 0 : updatedAt.toEpochMilli());
    }

    /** This entry without the request's fields (for an outcome that Kafka refused at full size). */
    LedgerEntry withoutRequest() {
        IsoRequest bare = new IsoRequest(requestId, null, null, null, null);
        return new LedgerEntry(VERSION, requestId, state, bare, receivedAt, deadline, jobId, null, fromUrlCalls, submissions,
                polls, alreadyExisted, sourcePartition, sourceOffset, updatedAt, null, null, preflight, apiCalls, expectedBytes, null);
    }

    public boolean isFrom(int partition, long offset) {
        return sourcePartition == partition && sourceOffset == offset;
    }
}
