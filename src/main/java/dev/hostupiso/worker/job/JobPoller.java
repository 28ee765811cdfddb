package dev.hostupiso.worker.job;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.wire.DownloadProgress;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.JobStatus;
import dev.hostupiso.worker.wire.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Polls a HostUp job until it completes, fails, or the request's deadline passes. Every wait, the
 * first included, is {@link PollSchedule}'s ({@link PollCourse}): from the progress the job reports,
 * and for a download whose size the preflight learned, from the {@link ThroughputPrior} of the
 * downloads before (or back off without progress awareness, or follow a {@code Retry-After} on the
 * poll answer). Each download seen done teaches the prior. A 404 on the first polls is the backend
 * not knowing a fresh job yet and is retried a few times. Progress is told to the
 * {@link ProgressListener}, throttled per job.
 */
@ApplicationScoped
public class JobPoller {

    private static final Logger LOG = Logger.getLogger(JobPoller.class);

    private final HostUpPort hostUp;
    private final Backoff backoff;
    private final Delays delays;
    private final Clock clock;
    private final WorkerConfig config;
    private final PollSchedule schedule;
    private final ProgressThrottle throttle;
    private final ProgressListener listener;
    private final ThroughputPrior throughput;

    public JobPoller(HostUpPort hostUp, Backoff backoff, Delays delays, Clock clock,
                     WorkerConfig config, PollSchedule schedule, ProgressThrottle throttle,
                     ProgressListener listener, ThroughputPrior throughput) {
        this.hostUp = hostUp;
        this.backoff = backoff;
        this.delays = delays;
        this.clock = clock;
        this.config = config;
        this.schedule = schedule;
        this.throttle = throttle;
        this.listener = listener;
        this.throughput = throughput;
    }

    /** Completes when the request's download job has completed; fails with {@link JobFailure} otherwise. */
    public Uni<Void> awaitCompletion(JobContext ctx) {
        return awaitCompletion(ctx, ctx.pollUrl(), true);
    }

    /**
     * Completes when the job at {@code pollUrl} has completed; fails with {@link JobFailure} otherwise.
     *
     * @param downloadProgress whether its progress is the request's download progress, told to the listener (a
     *                         mount job's is not: it would restart the download's progress at 0 %)
     */
    public Uni<Void> awaitCompletion(JobContext ctx, String pollUrl, boolean downloadProgress) {
        // The prior is for a download this instance submitted just now: a resumed one was submitted before polling began.
        Long bytes = downloadProgress && !ctx.isResumed() ? ctx.expectedBytes() : null;
        PollCourse course = PollCourse.start(schedule, throughput, clock.instant(), bytes);
        Progress progress = new Progress(course, backoff.firstPoll(course), pollUrl, downloadProgress);
        return AsyncLoop.untilPresent(() -> poll(ctx, progress)).replaceWithVoid();
    }

    /** Where the polling of one job stands between rounds. */
    private static final class Progress {
        /** The polls so far and the schedule's view of them; polling began when the job was submitted, just before. */
        final PollCourse course;
        final String pollUrl;
        final boolean reported;
        int notFound;
        Duration wait;
        Optional<ProgressThrottle.Sent> sent = Optional.empty();

        Progress(PollCourse course, Duration firstWait, String pollUrl, boolean reported) {
            this.course = course;
            this.wait = firstWait;
            this.pollUrl = pollUrl;
            this.reported = reported;
        }
    }

    /** One round: wait (never past the deadline), poll once; present when the job completed, empty to poll again. */
    private Uni<Optional<Boolean>> poll(JobContext ctx, Progress progress) {
        Instant now = clock.instant();
        if (!now.isBefore(ctx.deadline())) {
            return Uni.createFrom().failure(timeout(ctx));
        }
        Duration untilDeadline = Duration.between(now, ctx.deadline());
        return delays.after(progress.wait.compareTo(untilDeadline) < 0 ? progress.wait : untilDeadline)
                .onItem().transformToUni(x -> hostUp.job(ctx, progress.pollUrl))
                .map(answer -> interpret(ctx, progress, answer));
    }

    /** What one poll answer means: present when the job completed, empty to poll again; throws {@link JobFailure}. */
    private Optional<Boolean> interpret(JobContext ctx, Progress progress, HostUpPort.PollAnswer answer) {
        if (answer instanceof HostUpPort.JobNotFound notFound) {
            return notFound(ctx, progress, notFound);
        }
        if (answer instanceof HostUpPort.Refused refused) {
            throw new JobFailure(JobError.fromProblem(refused.problem(), false));
        }
        HostUpPort.JobSeen seen = (HostUpPort.JobSeen) answer;
        Optional<JobStatus> status = seen.job();
        if (status.isEmpty()) {
            JobLog.warn(LOG, ctx, "poll answer is not a job envelope; polling on");
        } else if (status.get().state() == JobStatus.State.COMPLETED) {
            progress.course.done(clock.instant(), throughput);
            return Optional.of(Boolean.TRUE);
        } else if (status.get().state() == JobStatus.State.FAILED) {
            throw new JobFailure(JobError.jobFailed(status.get().failureDetail().orElse("HostUp reported the job as failed"),
                    seen.upstreamRequestId().orElse(null)));
        }
        if (!clock.instant().isBefore(ctx.deadline())) {
            throw timeout(ctx);
        }
        Instant now = clock.instant();
        progress.course.running(now, status.flatMap(JobStatus::fraction));
        status.ifPresent(s -> report(ctx, progress, s, now));
        progress.wait = backoff.nextPoll(progress.course, now, seen.retryAfter());
        return Optional.empty();
    }

    /** A 404 right after submission is the backend not knowing a fresh job yet; after a few it is lost. */
    private Optional<Boolean> notFound(JobContext ctx, Progress progress, HostUpPort.JobNotFound answer) {
        if (progress.notFound < config.jobNotFoundRetries()) {
            JobLog.debug(LOG, ctx, "job not known yet (404), poll %d", ctx.polls());
            progress.wait = backoff.delay(progress.course.attempt(), answer.retryAfter());
            progress.course.missed();
            progress.notFound++;
            return Optional.empty();
        }
        Problem p = answer.problem();
        throw new JobFailure(new JobError("job_lost", "Job not found",
                "HostUp does not know job " + ctx.jobId() + " (" + p.code() + ")", 404, true, p.errors(),
                p.upstreamRequestId().orElse(null)));
    }

    /** Tells the listener the job's progress, when it reported some and the throttle lets it. */
    private void report(JobContext ctx, Progress progress, JobStatus status, Instant now) {
        Optional<Double> fraction = status.fraction();
        if (fraction.isEmpty()) {
            return;
        }
        double percentage = fraction.get() * 100;
        if (!progress.reported || !throttle.due(progress.sent, now, percentage)) {
            return;
        }
        progress.sent = Optional.of(new ProgressThrottle.Sent(now, percentage));
        Optional<Instant> eta = ProgressEstimate.of(progress.course.since(), progress.course.history()).map(ProgressEstimate::end);
        DownloadProgress report = new DownloadProgress(percentage,
                status.bytes().map(b -> OptionalLong.of(b.done())).orElse(OptionalLong.empty()),
                status.bytes().map(b -> OptionalLong.of(b.total())).orElse(OptionalLong.empty()), eta, now);
        try {
            listener.progressed(ctx, report);
        } catch (RuntimeException e) { // best effort: progress never fails a job
            JobLog.debug(LOG, ctx, "progress not reported: %s", e);
        }
    }

    /** Not retryable: the job runs on at HostUp, and sending the request again would queue a second download. */
    private JobFailure timeout(JobContext ctx) {
        return new JobFailure(JobError.of("job_timeout", "The request's deadline passed",
                "Job " + ctx.jobId() + " did not finish within " + config.jobTimeout() + "; it may still complete on"
                        + " HostUp's side: look for " + ctx.request().filename() + " in the VPS's ISO library before"
                        + " sending the request again", false));
    }
}
