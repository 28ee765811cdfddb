package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.ApiCalls;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.JobResult;
import dev.hostupiso.worker.wire.Mounted;
import dev.hostupiso.worker.wire.PreflightReport;
import dev.hostupiso.worker.wire.UrlRedactor;

import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * One request while it runs: who it is (fixed), what each step found (immutable values, each
 * replaced only by the step its type names: {@link Preflighted}, {@link Submission}, {@link Mounting};
 * the calls it cost, counted by the HostUp adapter), and the hand-over flags. Touched by one step at
 * a time (the Mutiny chain of that request).
 */
public final class JobContext {

    private final IsoRequest request;
    private final Instant receivedAt;
    private final Instant deadline;
    private final int partition;
    private final long epoch;
    /** The topic the request was read from: it decides which account's key the job may spend. */
    private String topic;
    /** Cancellation and hand-over: set by the dispatcher, from any thread. */
    final HandOver handOver;
    private boolean resumed;
    /** The account whose key the job's calls use: set once, when the HostUp port found it. */
    private volatile JobAccount account;
    /** The last recorded state: written by the step that records it in the journal, as it records it. */
    private volatile JobState state = JobState.RECEIVED;
    // What each step found, as immutable values: each replaced only by the step its type names.
    private volatile Preflighted preflighted = Preflighted.NONE;
    private volatile Submission submission = Submission.NONE;
    private volatile Mounting mounting = Mounting.NONE;
    /** Every HostUp call made, by endpoint: counted only by the HostUp adapter, as each call is sent. */
    private volatile ApiCalls calls = ApiCalls.NONE;
    /** The last transient error a call met: written only by the HostUp adapter and the submit step. */
    private volatile JobError lastTransientError;

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
        this.handOver = new HandOver(request.requestId());
    }

    /** Rebuilds the context of a job recorded in the ledger, to resume it. */
    public static JobContext resumed(IsoRequest request, Instant receivedAt, Instant deadline, int partition, long epoch,
                                     JobState state, String jobId, String pollUrl, int fromUrlCalls, int submissions, int polls,
                                     boolean alreadyExisted) {
        return resumed(request, receivedAt, deadline, partition, epoch, state, jobId, pollUrl, fromUrlCalls, submissions,
                polls, alreadyExisted, ApiCalls.NONE);
    }

    /** Rebuilds a recorded job with the calls it cost so far: the outcome counts calls made before a crash or hand-over. */
    public static JobContext resumed(IsoRequest request, Instant receivedAt, Instant deadline, int partition, long epoch,
                                     JobState state, String jobId, String pollUrl, int fromUrlCalls, int submissions, int polls,
                                     boolean alreadyExisted, ApiCalls calls) {
        JobContext ctx = new JobContext(request, receivedAt, deadline, partition, epoch);
        ctx.resumed = true;
        ctx.state = state;
        ctx.submission = new Submission(jobId, pollUrl, alreadyExisted, submissions);
        // Older records counted only from-url calls and polls; never count fewer than those.
        ctx.calls = new ApiCalls(Math.max(fromUrlCalls, calls.fromUrl()), Math.max(polls, calls.job()), calls.isoList(),
                calls.mount());
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

    /** Restores what a resumed job's preflight found (the URL it resolved, its report; each may be null): no probe again. */
    public JobContext withPreflight(String resolvedUrl, PreflightReport preflight) {
        this.preflighted = preflighted.resolved(resolvedUrl, null).withReport(preflight);
        return this;
    }

    /** Restores what a resumed job knew besides its state: the file's size and a running mount job (each may be null). */
    public JobContext withKnown(Long expectedBytes, String mountPollUrl) {
        this.preflighted = preflighted.withExpectedBytes(expectedBytes);
        this.mounting = mounting.withPollUrl(mountPollUrl);
        return this;
    }

    /** The file's size as the preflight's origin reported it; null when unknown. */
    public Long expectedBytes() {
        return preflighted.expectedBytes();
    }

    /** Where the mount job queued by a mount call is polled; null when none is known. */
    public String mountPollUrl() {
        return mounting.pollUrl();
    }

    /** A from-url call may have queued a download (SUBMITTING, SUBMITTED) not seen to end: sending again risks a second. */
    boolean downloadMayRun() {
        return submission.submissions() > 0 && (state == JobState.SUBMITTING || state == JobState.SUBMITTED);
    }

    /** The URL the preflight resolved, verbatim, for the job ledger; null when the request's own URL is submitted. */
    public String resolvedUrl() {
        return preflighted.resolvedUrl();
    }

    public PreflightReport preflight() {
        return preflighted.report();
    }

    /** What from-url submits: the resolved URL, or the request's own. */
    String urlToSubmit() {
        return preflighted.resolvedUrl() != null ? preflighted.resolvedUrl() : request.url();
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
        return submission.pollUrl();
    }

    public int fromUrlCalls() {
        return calls.fromUrl();
    }

    /** from-url calls that may have queued a download (each preceded by a SUBMITTING record). */
    public int submissions() {
        return submission.submissions();
    }

    public int polls() {
        return calls.job();
    }

    /** HostUp calls this request has cost so far, by endpoint, each retry included, counted as each is sent. */
    public ApiCalls apiCalls() {
        return calls;
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
        return submission.alreadyExisted();
    }

    /** Stops the job at its next step (the partition moved, or the worker is stopping). */
    public void cancel() {
        handOver.cancel();
    }

    /** The job is being handed over: no new from-url or mount call; one already sent may still be recorded. */
    public void stopSubmitting() {
        handOver.stopSubmitting();
    }

    /** A from-url or mount call of this job is on the wire, or its answer is not recorded yet. */
    public boolean isSubmitting() {
        return handOver.isSubmitting();
    }

    /** Fails fast when the job was handed over; called before every API call and wait. */
    public void ensureActive() {
        handOver.ensureActive();
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
        return submission.jobId();
    }

    /** How the job ends when it completed with {@code isoId}: what it knows now. */
    public JobResult completed(String isoId) {
        return new JobResult(true, isoId, jobId(), alreadyExisted(), fromUrlCalls(), polls(), calls, redacted(resolvedUrl()),
                preflight(), mounting.mounted(), null);
    }

    /** How the job ends when it failed with {@code error}: what it knows now. */
    public JobResult failed(JobError error) {
        return new JobResult(false, null, jobId(), false, fromUrlCalls(), polls(), calls, redacted(resolvedUrl()), preflight(),
                null, error);
    }

    private static String redacted(String url) {
        return url == null ? null : Bounds.truncate(UrlRedactor.redact(url), Bounds.RESOLVED_URL);
    }

    /** A HostUp call of this job is being sent: it counts in the job's {@code apiCalls}. */
    public void counted(Endpoint endpoint) {
        calls = calls.plus(endpoint);
    }

    /** The last transient error a call of this job met: what it fails with if the deadline comes first. */
    public JobError lastTransientError() {
        return lastTransientError;
    }

    /** A call of this job met a transient error (or a held key) and waits to try again. */
    public void sawTransient(JobError error) {
        lastTransientError = error;
    }

    /** What the preflight found. */
    Preflighted preflighted() {
        return preflighted;
    }

    /** The preflight step's change. */
    void preflighted(UnaryOperator<Preflighted> step) {
        preflighted = step.apply(preflighted);
    }

    /** The submit step's change. */
    void submission(UnaryOperator<Submission> step) {
        submission = step.apply(submission);
    }

    /** What the mount step knows. */
    Mounting mounting() {
        return mounting;
    }

    /** The mount step's change. */
    void mounting(UnaryOperator<Mounting> step) {
        mounting = step.apply(mounting);
    }

    /** The state being recorded in the journal. */
    void recording(JobState state) {
        this.state = state;
    }

    /** A log prefix naming the request and, once known, its HostUp job. */
    String tag() {
        return "requestId=" + request.requestId() + (jobId() == null ? "" : " jobId=" + jobId());
    }
}
