package dev.hostupiso.worker.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.hostup.ApiResponse;
import dev.hostupiso.worker.hostup.HostUpClient;
import dev.hostupiso.worker.hostup.JobStatus;
import dev.hostupiso.worker.hostup.Problem;
import org.jboss.logging.Logger;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Polls a HostUp job until it completes, fails, or the request's deadline passes. The first poll
 * waits the initial delay; later ones back off (or follow a {@code Retry-After} on the poll answer).
 * A 404 on the first polls is the backend not knowing a fresh job yet and is retried a few times.
 */
@ApplicationScoped
public class JobPoller {

    private static final Logger LOG = Logger.getLogger(JobPoller.class);

    private final HostUpClient client;
    private final RetryingCaller caller;
    private final Backoff backoff;
    private final WorkerConfig config;
    private final ObjectMapper mapper;

    public JobPoller(HostUpClient client, RetryingCaller caller, Backoff backoff, WorkerConfig config, ObjectMapper mapper) {
        this.client = client;
        this.caller = caller;
        this.backoff = backoff;
        this.config = config;
        this.mapper = mapper;
    }

    /** Completes when the job has completed; fails with {@link JobFailure} otherwise. */
    public Uni<Void> awaitCompletion(JobContext ctx) {
        Progress progress = new Progress(backoff.initialDelay());
        return AsyncLoop.untilPresent(() -> poll(ctx, progress)).replaceWithVoid();
    }

    /** Where the polling of one job stands between rounds. */
    private static final class Progress {
        int attempt;
        int notFound;
        Duration wait;

        Progress(Duration firstWait) {
            this.wait = firstWait;
        }
    }

    /** One round: wait, poll once; present when the job completed, empty to poll again. */
    private Uni<Optional<Boolean>> poll(JobContext ctx, Progress progress) {
        Instant now = backoff.now();
        if (!now.isBefore(ctx.deadline())) {
            return timeout(ctx);
        }
        Duration untilDeadline = Duration.between(now, ctx.deadline());
        return backoff.sleep(progress.wait.compareTo(untilDeadline) < 0 ? progress.wait : untilDeadline)
                .onItem().transformToUni(x -> caller.call(ctx, () -> {
                    ctx.polls++;
                    return client.job(ctx.account(), ctx.pollUrl);
                }))
                .onItem().transformToUni(response -> {
                    if (response.status() == 404 && progress.notFound < config.jobNotFoundRetries()) {
                        JobLog.debug(LOG, ctx, "job not known yet (404), poll %d", ctx.polls);
                        progress.wait = next(progress.attempt, response);
                        progress.attempt++;
                        progress.notFound++;
                        return again();
                    }
                    if (response.status() == 404) {
                        Problem p = Problem.from(response, mapper);
                        return Uni.createFrom().failure(new JobFailure(new JobError("job_lost", "Job not found",
                                "HostUp does not know job " + ctx.jobId + " (" + p.code() + ")", 404, true, p.errors(),
                                p.upstreamRequestId().orElse(null))));
                    }
                    if (!response.isSuccess()) {
                        return Uni.createFrom().failure(new JobFailure(JobError.fromProblem(Problem.from(response, mapper), false)));
                    }
                    Optional<JobStatus> status = JobStatus.parse(response.body(), mapper);
                    if (status.isEmpty()) {
                        JobLog.warn(LOG, ctx, "poll answer is not a job envelope; polling on");
                    } else if (status.get().state() == JobStatus.State.COMPLETED) {
                        return Uni.createFrom().item(Optional.of(Boolean.TRUE));
                    } else if (status.get().state() == JobStatus.State.FAILED) {
                        return Uni.createFrom().failure(new JobFailure(JobError.jobFailed(
                                status.get().failureDetail().orElse("HostUp reported the job as failed"),
                                response.requestId().orElse(null))));
                    }
                    if (!backoff.now().isBefore(ctx.deadline())) {
                        return timeout(ctx);
                    }
                    progress.attempt++;
                    progress.wait = next(progress.attempt, response);
                    return again();
                });
    }

    private static Uni<Optional<Boolean>> again() {
        return Uni.createFrom().item(Optional.empty());
    }

    private Duration next(int attempt, ApiResponse response) {
        return backoff.delay(attempt, backoff.retryAfter(response));
    }

    private <T> Uni<T> timeout(JobContext ctx) {
        return Uni.createFrom().failure(new JobFailure(JobError.of("job_timeout", "The request's deadline passed",
                "Job " + ctx.jobId + " did not finish within " + config.jobTimeout()
                        + "; it may still complete on HostUp's side", true)));
    }
}
