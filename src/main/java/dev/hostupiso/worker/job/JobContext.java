package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.PreflightReport;
import dev.hostupiso.worker.wire.Mounted;
import dev.hostupiso.worker.wire.ApiCalls;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.JobResult;
import dev.hostupiso.worker.wire.UrlRedactor;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mutable state of one request while it runs. Touched by one step at a time (the Mutiny chain
 * of that request), so it needs no locking.
 */
public final class JobContext {

    private final IsoRequest request;
    private final Instant receivedAt;
    private final Instant deadline;
    private final int partition;
    private final long epoch;
    /** The topic the request was read from: it decides which account's key the job may spend. */
    private String topic;
    private volatile boolean cancelled;
    private volatile boolean stopping;
    private volatile boolean submitting;
    private final Set<Runnable> cancelListeners = ConcurrentHashMap.newKeySet();
    private boolean resumed;
    JobState state = JobState.RECEIVED;
    String jobId;
    String pollUrl;
    int fromUrlCalls;
    int submissions;
    int polls;
    /** ISO library reads (resolution, watching after an ambiguous answer, the key's read-scope check). */
    int isoListCalls;
    boolean alreadyExisted;
    JobError lastTransientError;
    /** The URL the preflight resolved and from-url submits, verbatim (it may carry a signed query); null: the request's own. */
    String resolvedUrl;
    /** When {@link #resolvedUrl} was resolved on this instance; null: not yet (a resumed job resolves again). */
    java.time.Instant resolvedAt;
    PreflightReport preflight;
    Mounted mounted;
    /** The account whose key the job's calls use, once the runner found it. */
    JobAccount account;
    /** Mount calls made (a crash in MOUNTING included, through the ledger). */
    int mountCalls;
    /** The file's size as the preflight's origin reported it; null when unknown. Sizes the ambiguity window. */
    Long expectedBytes;
    /** Where HostUp's mount job (a 202 answer to the mount call) is polled; null when none is known. */
    String mountPollUrl;

    /**
     * @param partition the request's partition: the ledger partition that records this job, and
     *                  what decides which instance owns it
     * @param epoch     the assignment of that partition this job runs under: its ledger writes
     *                  commit only while that assignment lasts
     */
    public JobContext(IsoRequest request, Instant receivedAt, Instant deadline, int partition, long epoch) {
        this.request = request;
        this.receivedAt = receivedAt;
        this.deadline = deadline;
        this.partition = partition;
        this.epoch = epoch;
    }

    /** Rebuilds the context of a job recorded in the ledger, to resume it. */
    public static JobContext resumed(IsoRequest request, Instant receivedAt, Instant deadline, int partition, long epoch,
                                     JobState state, String jobId, String pollUrl, int fromUrlCalls, int submissions, int polls,
                                     boolean alreadyExisted) {
        return resumed(request, receivedAt, deadline, partition, epoch, state, jobId, pollUrl, fromUrlCalls, submissions,
                polls, alreadyExisted, new ApiCalls(fromUrlCalls, polls, 0, 0));
    }

    /**
     * Rebuilds the context of a job recorded in the ledger, with the calls it cost so far: the
     * count goes on from there, so the outcome includes calls made before a crash or hand-over.
     */
    public static JobContext resumed(IsoRequest request, Instant receivedAt, Instant deadline, int partition, long epoch,
                                     JobState state, String jobId, String pollUrl, int fromUrlCalls, int submissions, int polls,
                                     boolean alreadyExisted, ApiCalls calls) {
        JobContext ctx = new JobContext(request, receivedAt, deadline, partition, epoch);
        ctx.resumed = true;
        ctx.state = state;
        ctx.jobId = jobId;
        ctx.pollUrl = pollUrl;
        ctx.fromUrlCalls = fromUrlCalls;
        ctx.submissions = submissions;
        ctx.polls = polls;
        ctx.alreadyExisted = alreadyExisted;
        // Older records counted only from-url calls and polls; never count fewer than those.
        ctx.isoListCalls = calls.isoList();
        ctx.mountCalls = calls.mount();
        ctx.fromUrlCalls = Math.max(fromUrlCalls, calls.fromUrl());
        ctx.polls = Math.max(polls, calls.job());
        return ctx;
    }

    /**
     * The topic the request was read from (the partition is that topic's): which account's key it
     * may spend and where its outcome goes. Null in contexts built without one (the shared topic).
     */
    public JobContext fromTopic(String requestTopic) {
        this.topic = requestTopic;
        return this;
    }

    /** The topic the request was read from; null when not given (the shared request topic). */
    public String topic() {
        return topic;
    }

    /**
     * Restores what the preflight of a resumed job found, so that it is not probed again.
     *
     * @param resolvedUrl the URL it resolved (verbatim), null when the request's own is submitted
     * @param preflight   its report, null when none was made (preflight off, or a record from before it)
     */
    public JobContext withPreflight(String resolvedUrl, PreflightReport preflight) {
        this.resolvedUrl = resolvedUrl;
        this.preflight = preflight;
        return this;
    }

    /**
     * Restores what a resumed job knew besides its state: the file's size and a running mount job.
     *
     * @param expectedBytes the size the preflight's origin reported, null when unknown
     * @param mountPollUrl  where the mount job that a mount call queued is polled, null when none is known
     */
    public JobContext withKnown(Long expectedBytes, String mountPollUrl) {
        this.expectedBytes = expectedBytes;
        this.mountPollUrl = mountPollUrl;
        return this;
    }

    /** The file's size as the preflight's origin reported it; null when unknown. */
    public Long expectedBytes() {
        return expectedBytes;
    }

    /** Where the mount job queued by a mount call is polled; null when none is known. */
    public String mountPollUrl() {
        return mountPollUrl;
    }

    /**
     * A download of this request may be queued or running at HostUp: a from-url call may have queued one (the
     * job is SUBMITTING or SUBMITTED), and no answer showed it ended. Sending the request again then risks a
     * second download.
     */
    boolean downloadMayRun() {
        return submissions > 0 && (state == JobState.SUBMITTING || state == JobState.SUBMITTED);
    }

    /** The URL the preflight resolved, verbatim, for the job ledger; null when the request's own URL is submitted. */
    public String resolvedUrl() {
        return resolvedUrl;
    }

    public PreflightReport preflight() {
        return preflight;
    }

    /** What from-url submits: the resolved URL, or the request's own. */
    String urlToSubmit() {
        return resolvedUrl != null ? resolvedUrl : request.url();
    }

    /** Taken over from the ledger, not started by this instance. */
    public boolean isResumed() {
        return resumed;
    }

    public int partition() {
        return partition;
    }

    public long epoch() {
        return epoch;
    }

    public JobState state() {
        return state;
    }

    public String pollUrl() {
        return pollUrl;
    }

    public int fromUrlCalls() {
        return fromUrlCalls;
    }

    /** from-url calls that may have queued a download (each preceded by a SUBMITTING record). */
    public int submissions() {
        return submissions;
    }

    public int polls() {
        return polls;
    }

    /**
     * HostUp calls this request has cost so far, by endpoint: every call that was made (each retry
     * included), counted where the call is sent, after its rate-limiter permit.
     */
    public ApiCalls apiCalls() {
        return new ApiCalls(fromUrlCalls, polls, isoListCalls, mountCalls);
    }

    /** The job spends {@code account}'s key: set once the HostUp port has found it. */
    public JobContext withAccount(JobAccount account) {
        this.account = account;
        return this;
    }

    /** The account whose key this job uses; null until the runner has looked it up. */
    public JobAccount account() {
        return account;
    }

    /** from-url answered 200: the ISO was in the library before this request. */
    public boolean alreadyExisted() {
        return alreadyExisted;
    }

    /** Stops the job at its next step (the partition moved, or the worker is stopping). */
    public void cancel() {
        cancelled = true;
        cancelListeners.forEach(Runnable::run);
    }

    /**
     * Runs {@code listener} when the job is cancelled (at once if it already is), so that a wait can
     * end then instead of at its timer; the returned handle unregisters it.
     */
    Runnable whenCancelled(Runnable listener) {
        cancelListeners.add(listener);
        if (cancelled && cancelListeners.remove(listener)) {
            listener.run();
        }
        return () -> cancelListeners.remove(listener);
    }

    /**
     * The job is being handed over: it starts no new from-url or mount call, but one already sent may
     * still be answered and recorded (so the next owner does not have to guess whether it happened).
     */
    public void stopSubmitting() {
        stopping = true;
    }

    /** A from-url or mount call of this job is on the wire, or its answer is not recorded yet. */
    public boolean isSubmitting() {
        return submitting;
    }

    /** Fails fast when the job was handed over; called before every API call and wait. */
    public void ensureActive() {
        if (cancelled) {
            throw new JobCancelledException(request.requestId());
        }
    }

    /** Marks a from-url or mount call as going on the wire, unless the job is being handed over. */
    void beginSubmit() {
        if (cancelled || stopping) {
            throw new JobCancelledException(request.requestId());
        }
        submitting = true;
    }

    void endSubmit() {
        submitting = false;
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

    /** How the job ends when it completed with {@code isoId}: what it knows now. */
    public JobResult completed(String isoId) {
        return new JobResult(true, isoId, jobId, alreadyExisted, fromUrlCalls, polls, apiCalls(), redacted(resolvedUrl), preflight,
                mounted, null);
    }

    /** How the job ends when it failed with {@code error}: what it knows now. */
    public JobResult failed(JobError error) {
        return new JobResult(false, null, jobId, false, fromUrlCalls, polls, apiCalls(), redacted(resolvedUrl), preflight, null,
                error);
    }

    private static String redacted(String url) {
        return url == null ? null : Bounds.truncate(UrlRedactor.redact(url), Bounds.RESOLVED_URL);
    }

    /** A HostUp call of this job is being sent: it counts in the job's {@code apiCalls}. */
    public void counted(Endpoint endpoint) {
        switch (endpoint) {
            case FROM_URL -> fromUrlCalls++;
            case JOB -> polls++;
            case ISO_LIST -> isoListCalls++;
            case MOUNT -> mountCalls++;
            case VPS_LIST -> { } // the key's probe: no request pays for it
        }
    }

    /** The last transient error a call of this job met: what it fails with if the deadline comes first. */
    public JobError lastTransientError() {
        return lastTransientError;
    }

    /** A call of this job met a transient error (or a held key) and waits to try again. */
    public void sawTransient(JobError error) {
        lastTransientError = error;
    }

    /** A log prefix naming the request and, once known, its HostUp job. */
    String tag() {
        return "requestId=" + request.requestId() + (jobId == null ? "" : " jobId=" + jobId);
    }
}
