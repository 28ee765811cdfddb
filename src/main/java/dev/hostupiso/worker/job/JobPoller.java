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
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Polls a HostUp job until it completes, fails, or the request's deadline passes. The first poll
 * waits the initial delay; later ones are scheduled by {@link PollSchedule} from the progress the
 * job reports (or back off without it, or follow a {@code Retry-After} on the poll answer). A 404
 * on the first polls is the backend not knowing a fresh job yet and is retried a few times. Progress
 * is told to the {@link ProgressListener}, throttled per job.
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

    public JobPoller(HostUpPort hostUp, Backoff backoff, Delays delays, Clock clock,
                     WorkerConfig config, PollSchedule schedule, ProgressThrottle throttle,
                     ProgressListener listener) {
        this.hostUp = hostUp;
        this.backoff = backoff;
        this.delays = delays;
        this.clock = clock;
        this.config = config;
        this.schedule = schedule;
        this.throttle = throttle;
        this.listener = listener;
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
        Progress progress = new Progress(clock.instant(), backoff.initialDelay(), pollUrl, downloadProgress);
        return AsyncLoop.untilPresent(() -> poll(ctx, progress)).replaceWithVoid();
    }

    /** Where the polling of one job stands between rounds. */
    private static final class Progress {
        /** When polling began: the job was submitted just before. */
        final Instant since;
        final String pollUrl;
        final boolean reported;
        int attempt;
        int notFound;
        Duration wait;
        /** The newest progress samples, oldest first, at most {@link PollSchedule#KEEP}. */
        final Deque<PollSchedule.Sample> samples = new ArrayDeque<>(PollSchedule.KEEP);
        Optional<ProgressThrottle.Sent> sent = Optional.empty();

        Progress(Instant since, Duration firstWait, String pollUrl, boolean reported) {
            this.since = since;
            this.wait = firstWait;
            this.pollUrl = pollUrl;
            this.reported = reported;
        }

        void observed(PollSchedule.Sample sample) {
            if (samples.size() == PollSchedule.KEEP) {
                samples.removeFirst();
            }
            samples.addLast(sample);
        }

        List<PollSchedule.Sample> history() {
            return List.copyOf(samples);
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
            return Optional.of(Boolean.TRUE);
        } else if (status.get().state() == JobStatus.State.FAILED) {
            throw new JobFailure(JobError.jobFailed(status.get().failureDetail().orElse("HostUp reported the job as failed"),
                    seen.upstreamRequestId().orElse(null)));
        }
        if (!clock.instant().isBefore(ctx.deadline())) {
            throw timeout(ctx);
        }
        status.ifPresent(s -> observe(ctx, progress, s));
        progress.attempt++;
        progress.wait = backoff.nextPoll(schedule, progress.since, progress.history(), clock.instant(), progress.attempt,
                seen.retryAfter());
        return Optional.empty();
    }

    /** A 404 right after submission is the backend not knowing a fresh job yet; after a few it is lost. */
    private Optional<Boolean> notFound(JobContext ctx, Progress progress, HostUpPort.JobNotFound answer) {
        if (progress.notFound < config.jobNotFoundRetries()) {
            JobLog.debug(LOG, ctx, "job not known yet (404), poll %d", ctx.polls());
            progress.wait = backoff.delay(progress.attempt, answer.retryAfter());
            progress.attempt++;
            progress.notFound++;
            return Optional.empty();
        }
        Problem p = answer.problem();
        throw new JobFailure(new JobError("job_lost", "Job not found",
                "HostUp does not know job " + ctx.jobId() + " (" + p.code() + ")", 404, true, p.errors(),
                p.upstreamRequestId().orElse(null)));
    }

    /** Records the job's progress for the schedule and, when the throttle lets it, tells the listener. */
    private void observe(JobContext ctx, Progress progress, JobStatus status) {
        Optional<Double> fraction = status.fraction();
        if (fraction.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        progress.observed(new PollSchedule.Sample(now, fraction.get()));
        double percentage = fraction.get() * 100;
        if (!progress.reported || !throttle.due(progress.sent, now, percentage)) {
            return;
        }
        progress.sent = Optional.of(new ProgressThrottle.Sent(now, percentage));
        Optional<Instant> eta = ProgressEstimate.of(progress.since, progress.history()).map(ProgressEstimate::end);
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
