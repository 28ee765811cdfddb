package dev.hostupiso.worker.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.hostup.ApiResponse;
import dev.hostupiso.worker.hostup.HostUpClient;
import dev.hostupiso.worker.hostup.JobStatus;
import dev.hostupiso.worker.hostup.Problem;
import dev.hostupiso.worker.hostup.UrlRedactor;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;

/**
 * Runs one request through HostUp: queue the download (from-url), poll the job, resolve the ISO id.
 * The returned {@link Uni} never fails: every way a request can end is a {@link JobResult}.
 */
@ApplicationScoped
public class IsoJobRunner {

    private final HostUpClient client;
    private final RetryingCaller caller;
    private final JobPoller poller;
    private final IsoResolver resolver;
    private final JobJournal journal;
    private final ObjectMapper mapper;

    public IsoJobRunner(HostUpClient client, RetryingCaller caller, JobPoller poller, IsoResolver resolver,
                        JobJournal journal, ObjectMapper mapper) {
        this.client = client;
        this.caller = caller;
        this.poller = poller;
        this.resolver = resolver;
        this.journal = journal;
        this.mapper = mapper;
    }

    /**
     * Runs the request from wherever its context says it is: a new request is submitted, a resumed
     * one continues polling its recorded job or resolving its ISO, without a second from-url.
     * Fails only with {@link JobCancelledException}, when the job is handed over.
     */
    public Uni<JobResult> run(JobContext ctx) {
        Uni<JobResult> work = switch (ctx.state()) {
            case RECEIVED -> ctx.isResumed() ? submitUnlessListed(ctx) : submit(ctx);
            case SUBMITTED -> {
                Log.infof("%s resuming: polling %s", ctx.tag(), ctx.pollUrl);
                yield pollThenResolve(ctx);
            }
            case RESOLVING -> {
                Log.infof("%s resuming: resolving the ISO id", ctx.tag());
                yield resolve(ctx);
            }
            default -> Uni.createFrom().failure(new IllegalStateException("job already finished: " + ctx.state()));
        };
        return work.onItemOrFailure().transformToUni((result, failure) -> {
                    if (failure instanceof JobCancelledException) {
                        return Uni.createFrom().failure(failure);
                    }
                    return Uni.createFrom().item(finish(ctx, result, failure));
                });
    }

    private JobResult finish(JobContext ctx, JobResult result, Throwable failure) {
        if (failure == null) {
            Log.infof("%s completed: isoId=%s alreadyExisted=%s polls=%d", ctx.tag(), result.isoId(),
                    result.alreadyExisted(), result.polls());
            return result;
        }
        JobError error = failure instanceof JobFailure jf ? jf.error()
                : JobError.of("worker_error", "Unexpected worker error", failure.getClass().getSimpleName(), true);
        if (failure instanceof JobFailure) {
            Log.infof("%s failed: %s (%s)", ctx.tag(), error.code(), error.detail());
        } else {
            Log.errorf(failure, "%s failed unexpectedly", ctx.tag());
        }
        return JobResult.failed(ctx, error);
    }

    /**
     * A resumed RECEIVED job: its previous owner may have queued the download and died before
     * recording it (the window between from-url's answer and the SUBMITTED record). If the ISO is
     * already listed, that download finished: resolve it instead of queueing another one.
     */
    private Uni<JobResult> submitUnlessListed(JobContext ctx) {
        return resolver.lookup(ctx).onItem().transformToUni(id -> {
            if (id.isPresent()) {
                Log.infof("%s resuming: %s is already in the library, not queueing it again", ctx.tag(),
                        ctx.request().filename());
                return Uni.createFrom().item(JobResult.completed(ctx, id.get()));
            }
            return submit(ctx);
        });
    }

    private Uni<JobResult> submit(JobContext ctx) {
        IsoRequest req = ctx.request();
        Log.infof("%s queueing %s from %s into VPS %s", ctx.tag(), req.filename(), UrlRedactor.redact(req.url()), req.vpsId());
        return caller.call(ctx, () -> {
                    ctx.fromUrlCalls++;
                    return client.fromUrl(req.vpsId(), req.url(), req.filename(), req.decompress());
                })
                .onItem().transformToUni(response -> afterSubmit(ctx, response));
    }

    private Uni<JobResult> afterSubmit(JobContext ctx, ApiResponse response) {
        if (!response.isSuccess()) {
            return Uni.createFrom().failure(new JobFailure(JobError.fromProblem(Problem.from(response, mapper), false)));
        }
        Optional<JobStatus> op = JobStatus.parse(response.body(), mapper);
        op.flatMap(JobStatus::jobId).ifPresent(id -> ctx.jobId = id);
        ctx.alreadyExisted = response.status() == 200;
        if (ctx.alreadyExisted || op.map(s -> s.state() == JobStatus.State.COMPLETED).orElse(false)) {
            return resolve(ctx);
        }
        if (op.isEmpty()) {
            return Uni.createFrom().failure(new JobFailure(new JobError("invalid_response", "Unreadable from-url answer",
                    "HTTP " + response.status() + " without an operation envelope; the download may have been queued",
                    response.status(), true, List.of(), response.requestId().orElse(null))));
        }
        if (op.get().state() == JobStatus.State.FAILED) {
            return Uni.createFrom().failure(new JobFailure(JobError.jobFailed(
                    op.get().failureDetail().orElse("HostUp reported the job as failed"), response.requestId().orElse(null))));
        }
        ctx.pollUrl = op.get().pollUrl().orElse(ctx.jobId == null ? null : "/api/jobs/" + ctx.jobId);
        if (ctx.pollUrl == null) {
            return Uni.createFrom().failure(new JobFailure(new JobError("invalid_response", "No job to poll",
                    "from-url answered " + response.status() + " with neither pollUrl nor jobId", response.status(), true,
                    List.of(), response.requestId().orElse(null))));
        }
        Log.debugf("%s queued, polling %s", ctx.tag(), ctx.pollUrl);
        // Durable before polling: from here on a restart resumes this job instead of queueing another download.
        return checkpoint(ctx, JobState.SUBMITTED).onItem().transformToUni(x -> pollThenResolve(ctx));
    }

    private Uni<JobResult> pollThenResolve(JobContext ctx) {
        return poller.awaitCompletion(ctx).onItem().transformToUni(x -> resolve(ctx));
    }

    private Uni<JobResult> resolve(JobContext ctx) {
        Uni<Void> recorded = ctx.state == JobState.RESOLVING ? Uni.createFrom().voidItem() : checkpoint(ctx, JobState.RESOLVING);
        return recorded.onItem().transformToUni(x -> resolver.resolve(ctx)).map(isoId -> JobResult.completed(ctx, isoId));
    }

    private Uni<Void> checkpoint(JobContext ctx, JobState state) {
        ctx.state = state;
        return journal.record(ctx, state);
    }
}
