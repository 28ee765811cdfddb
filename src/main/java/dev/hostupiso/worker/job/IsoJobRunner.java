package dev.hostupiso.worker.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.hostup.ApiResponse;
import dev.hostupiso.worker.hostup.HostUpApi;
import dev.hostupiso.worker.hostup.IsoLibrary;
import dev.hostupiso.worker.hostup.MountAnswer;
import dev.hostupiso.worker.hostup.JobStatus;
import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.hostup.Problem;
import dev.hostupiso.worker.hostup.UrlRedactor;
import org.jboss.logging.Logger;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Runs one request through HostUp with its account's key: queue the download (from-url), poll the
 * job, resolve the ISO id and, when asked, mount it. The returned {@link Uni} never fails: every way
 * a request can end is a {@link JobResult}.
 */
@ApplicationScoped
public class IsoJobRunner {

    private static final Logger LOG = Logger.getLogger(IsoJobRunner.class);

    private final HostUpApi client;
    private final RetryingCaller caller;
    private final JobPoller poller;
    private final IsoResolver resolver;
    private final JobJournal journal;
    private final PreflightStep preflight;
    private final Backoff backoff;
    private final Delays delays;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final AccountStep accounts;
    private final int maxSubmits;
    private final Duration ambiguityWindow;

    public IsoJobRunner(HostUpApi client, RetryingCaller caller, JobPoller poller, IsoResolver resolver, JobJournal journal,
                        PreflightStep preflight, Backoff backoff, Delays delays, Clock clock, WorkerConfig config,
                        ObjectMapper mapper, AccountStep accounts) {
        this.client = client;
        this.accounts = accounts;
        this.caller = caller;
        this.poller = poller;
        this.resolver = resolver;
        this.journal = journal;
        this.preflight = preflight;
        this.backoff = backoff;
        this.delays = delays;
        this.clock = clock;
        this.mapper = mapper;
        this.maxSubmits = config.submit().maxAttempts();
        this.ambiguityWindow = config.submit().ambiguityWindow();
    }

    /**
     * Runs the request from wherever its context says it is: a new request is submitted, a resumed
     * one continues polling its recorded job or resolving its ISO, without a second from-url.
     * Fails only with {@link JobCancelledException}, when the job is handed over.
     */
    public Uni<JobResult> run(JobContext ctx) {
        return accounts.find(ctx).onItem().transformToUni(account -> {
            ctx.account = account;
            return work(ctx);
        }).onItemOrFailure().transformToUni((result, failure) -> {
            if (failure instanceof JobCancelledException) {
                return Uni.createFrom().failure(failure);
            }
            return Uni.createFrom().item(failure == null ? result : finish(ctx, null, failure));
        });
    }

    private Uni<JobResult> work(JobContext ctx) {
        Uni<JobResult> work = switch (ctx.state()) {
            // Nothing was sent yet: every call is preceded by SUBMITTING, which also records the preflight's finding.
            case RECEIVED -> preflight.run(ctx).onItem().transformToUni(x -> submit(ctx));
            case SUBMITTING -> {
                JobLog.info(LOG, ctx, "resuming: a from-url call may have been made; looking in the ISO library first");
                yield settle(ctx, JobError.of("submit_unconfirmed", "Download not confirmed",
                        "A from-url call may have been made by a previous owner, and the file never appeared in the library",
                        true));
            }
            case SUBMITTED -> {
                JobLog.info(LOG, ctx, "resuming: polling %s", ctx.pollUrl);
                yield pollThenResolve(ctx);
            }
            case RESOLVING -> {
                JobLog.info(LOG, ctx, "resuming: resolving the ISO id");
                yield resolve(ctx);
            }
            case MOUNTING -> {
                JobLog.info(LOG, ctx, "resuming: a mount call may have been made; reading the VPS's mounted ISOs first");
                yield resumeMount(ctx);
            }
            default -> Uni.createFrom().failure(new IllegalStateException("job already finished: " + ctx.state()));
        };
        return work.onFailure(IsoJobRunner::mayHaveSucceeded).recoverWithUni(f -> listedInstead(ctx, (JobFailure) f))
                .onItem().transformToUni(result -> mountIfAsked(ctx, result))
                .onItemOrFailure().transformToUni((result, failure) -> {
                    if (failure instanceof JobCancelledException) {
                        return Uni.createFrom().failure(failure);
                    }
                    return Uni.createFrom().item(finish(ctx, result, failure));
                });
    }

    /**
     * Before a request is declared failed because its job failed or vanished, the library is read:
     * a second job refused to overwrite a file that the first one delivered, or a job was forgotten
     * after it finished. A listed file is success.
     */
    private Uni<JobResult> listedInstead(JobContext ctx, JobFailure failure) {
        return resolver.lookup(ctx).onFailure(f -> !(f instanceof JobCancelledException)).recoverWithItem(Optional.empty())
                .onItem().transformToUni(id -> {
                    if (id.isPresent()) {
                        JobLog.info(LOG, ctx, "%s, but %s is in the library: completed", failure.error().code(),
                                ctx.request().filename());
                        return Uni.createFrom().item(JobResult.completed(ctx, id.get()));
                    }
                    return Uni.createFrom().failure(failure);
                });
    }

    private static boolean mayHaveSucceeded(Throwable f) {
        return f instanceof JobFailure jf && ("job_failed".equals(jf.error().code()) || "job_lost".equals(jf.error().code()));
    }

    private JobResult finish(JobContext ctx, JobResult result, Throwable failure) {
        if (failure == null) {
            JobLog.info(LOG, ctx, "completed: isoId=%s alreadyExisted=%s polls=%d", result.isoId(),
                    result.alreadyExisted(), result.polls());
            return result;
        }
        JobError error = failure instanceof JobFailure jf ? jf.error()
                : JobError.of("worker_error", "Unexpected worker error", failure.getClass().getSimpleName(), true);
        if (failure instanceof JobFailure) {
            JobLog.info(LOG, ctx, "failed: %s (%s)", error.code(), error.detail());
        } else {
            JobLog.error(LOG, failure, ctx, "failed unexpectedly");
        }
        return JobResult.failed(ctx, error);
    }

    /**
     * Queues the download. SUBMITTING is made durable first ("a download may be queued from here
     * on"), so whoever resumes this job, or a paused instance whose partition has moved on, never
     * calls from-url without knowing it may have been called before.
     */
    private Uni<JobResult> submit(JobContext ctx) {
        return Uni.createFrom().deferred(() -> submitNow(ctx));
    }

    private Uni<JobResult> submitNow(JobContext ctx) {
        IsoRequest req = ctx.request();
        if (ctx.submissions >= maxSubmits) {
            return Uni.createFrom().failure(new JobFailure(ctx.lastTransientError != null ? ctx.lastTransientError
                    : JobError.of("submit_unconfirmed", "Download not confirmed", "from-url was called " + ctx.submissions
                    + " times without a clear answer and the file never appeared in the library", true)));
        }
        ctx.beginSubmit();
        String url = ctx.urlToSubmit();
        JobLog.info(LOG, ctx, "queueing %s from %s into VPS %s", req.filename(), UrlRedactor.redact(url), req.vpsId());
        ctx.submissions++;
        return checkpoint(ctx, JobState.SUBMITTING)
                .onItem().transformToUni(x -> caller.call(ctx, () -> {
                    ctx.fromUrlCalls++;
                    return client.fromUrl(ctx.account(), req.vpsId(), url, req.filename(), req.decompress());
                }, Idempotency.NONE))
                .onItem().transformToUni(response -> afterSubmit(ctx, response))
                .onFailure(AmbiguousSubmitException.class).recoverWithUni(f -> {
                    ctx.endSubmit();
                    JobError error = ((AmbiguousSubmitException) f).error();
                    ctx.lastTransientError = error;
                    JobLog.warn(LOG, ctx, "from-url answer was ambiguous (%s); watching the ISO library before any new call",
                            error.code());
                    return settle(ctx, error);
                })
                .onTermination().invoke(ctx::endSubmit);
    }

    /**
     * After a from-url call whose fate is unknown: reads the library with backoff for the ambiguity
     * window. A listed file is success; otherwise from-url is called again, within the bound.
     */
    private Uni<JobResult> settle(JobContext ctx, JobError ifNeverListed) {
        Instant until = min(clock.instant().plus(ambiguityWindow), ctx.deadline());
        return resolver.watch(ctx, until)
                .onItem().transformToUni(id -> {
                    if (id.isPresent()) {
                        JobLog.info(LOG, ctx, "%s appeared in the library: the download had been queued",
                                ctx.request().filename());
                        return Uni.createFrom().item(JobResult.completed(ctx, id.get()));
                    }
                    if (!clock.instant().isBefore(ctx.deadline()) || ctx.submissions >= maxSubmits) {
                        return Uni.createFrom().failure(new JobFailure(ifNeverListed));
                    }
                    JobLog.info(LOG, ctx, "%s did not appear within %s: calling from-url again", ctx.request().filename(),
                            ambiguityWindow);
                    return submit(ctx);
                });
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
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
                    response.status(), true, List.of(), response.upstreamRequestId().orElse(null))));
        }
        if (op.get().state() == JobStatus.State.FAILED) {
            return Uni.createFrom().failure(new JobFailure(JobError.jobFailed(
                    op.get().failureDetail().orElse("HostUp reported the job as failed"), response.upstreamRequestId().orElse(null))));
        }
        ctx.pollUrl = op.get().pollUrl().orElse(ctx.jobId == null ? null : "/api/jobs/" + ctx.jobId);
        if (ctx.pollUrl == null) {
            return Uni.createFrom().failure(new JobFailure(new JobError("invalid_response", "No job to poll",
                    "from-url answered " + response.status() + " with neither pollUrl nor jobId", response.status(), true,
                    List.of(), response.upstreamRequestId().orElse(null))));
        }
        JobLog.debug(LOG, ctx, "queued, polling %s", ctx.pollUrl);
        // Durable before polling: from here on a restart resumes this job instead of queueing another download.
        return checkpoint(ctx, JobState.SUBMITTED).invoke(ctx::endSubmit).onItem().transformToUni(x -> pollThenResolve(ctx));
    }

    private Uni<JobResult> pollThenResolve(JobContext ctx) {
        return poller.awaitCompletion(ctx).onItem().transformToUni(x -> resolve(ctx));
    }

    private Uni<JobResult> resolve(JobContext ctx) {
        ctx.endSubmit();
        Uni<Void> recorded = ctx.state == JobState.RESOLVING ? Uni.createFrom().voidItem() : checkpoint(ctx, JobState.RESOLVING);
        return recorded.onItem().transformToUni(x -> resolver.resolve(ctx)).map(isoId -> JobResult.completed(ctx, isoId));
    }

    /**
     * Mounts a resolved ISO when the request asks for it. MOUNTING is durable before the call, so
     * whoever resumes the job reads the VPS's mounted ISOs before it would mount again. Any failure
     * from here on is {@code mount_failed}, with HostUp's own code kept ({@link JobError#mountFailed}).
     */
    private Uni<JobResult> mountIfAsked(JobContext ctx, JobResult result) {
        if (!result.completed() || ctx.request().mount() == null || ctx.mounted != null) {
            return Uni.createFrom().item(result);
        }
        String isoId = result.isoId();
        return checkpoint(ctx, JobState.MOUNTING).onItem().transformToUni(x -> mount(ctx, isoId));
    }

    /** Mounts {@code isoId}; every failure from here on is {@code mount_failed}, with HostUp's own code kept. */
    private Uni<JobResult> mount(JobContext ctx, String isoId) {
        return mountCall(ctx, isoId, 1)
                .map(m -> mountedResult(ctx, isoId, m))
                .onFailure(f -> f instanceof JobFailure jf && !"mount_failed".equals(jf.error().code()))
                .transform(f -> new JobFailure(JobError.mountFailed(((JobFailure) f).error(), isoId)));
    }

    private JobResult mountedResult(JobContext ctx, String isoId, Mounted mounted) {
        ctx.mounted = mounted;
        JobLog.info(LOG, ctx, "mounted %s on %s", isoId, mounted.device() == null ? "a drive HostUp chose" : mounted.device());
        return JobResult.completed(ctx, isoId);
    }

    /**
     * One mount call, retried as any call while HostUp's answers prove nothing happened. An
     * ambiguous answer (a 5xx, a timeout after sending) is followed by a library read: listed as
     * mounted is success, otherwise the mount is called again, at most {@code iso.submit.max-attempts}
     * times in all.
     */
    private Uni<Mounted> mountCall(JobContext ctx, String isoId, int attempt) {
        IsoRequest req = ctx.request();
        String device = req.mount().device();
        JobLog.info(LOG, ctx, "mounting %s on VPS %s%s", isoId, req.vpsId(), device == null ? "" : " (" + device + ")");
        return caller.call(ctx, () -> {
                    ctx.mountCalls++;
                    return client.mount(ctx.account(), req.vpsId(), isoId, device);
                }, Idempotency.NONE)
                .onItem().transformToUni(response -> afterMount(ctx, isoId, response))
                .onFailure(AmbiguousSubmitException.class).recoverWithUni(f -> {
                    JobError error = ((AmbiguousSubmitException) f).error();
                    JobLog.warn(LOG, ctx, "mount answer was ambiguous (%s); reading the VPS's mounted ISOs", error.code());
                    return mountedNow(ctx, isoId).onItem().transformToUni(found -> {
                        if (found.isPresent()) {
                            return Uni.createFrom().item(found.get());
                        }
                        if (attempt >= maxSubmits || !clock.instant().isBefore(ctx.deadline())) {
                            return Uni.createFrom().failure(new JobFailure(JobError.mountFailed(error, isoId)));
                        }
                        return delays.after(backoff.backoff(attempt - 1))
                                .onItem().transformToUni(x -> mountCall(ctx, isoId, attempt + 1));
                    });
                });
    }

    /** Reads HostUp's answer to a mount call: 200/201 (with or without a body), 204, or 202 with a job to poll. */
    private Uni<Mounted> afterMount(JobContext ctx, String isoId, ApiResponse response) {
        String asked = ctx.request().mount().device();
        int s = response.status();
        if (s == 202) {
            Optional<JobStatus> op = JobStatus.parse(response.body(), mapper);
            Optional<String> pollUrl = op.flatMap(JobStatus::pollUrl).or(() -> op.flatMap(JobStatus::jobId).map(id -> "/api/jobs/" + id));
            if (op.isEmpty() || op.get().state() == JobStatus.State.COMPLETED || pollUrl.isEmpty()) {
                return Uni.createFrom().item(new Mounted(deviceIn(response.body()).orElse(asked)));
            }
            if (op.get().state() == JobStatus.State.FAILED) {
                return Uni.createFrom().failure(new JobFailure(JobError.jobFailed(
                        op.get().failureDetail().orElse("HostUp reported the mount job as failed"), response.upstreamRequestId().orElse(null))));
            }
            String downloadPollUrl = ctx.pollUrl;
            ctx.pollUrl = pollUrl.get();
            JobLog.debug(LOG, ctx, "mount queued, polling %s", ctx.pollUrl);
            return poller.awaitCompletion(ctx).onTermination().invoke(() -> ctx.pollUrl = downloadPollUrl)
                    .replaceWith(() -> new Mounted(asked));
        }
        if (response.isSuccess()) {
            return Uni.createFrom().item(new Mounted(deviceIn(response.body()).orElse(asked)));
        }
        return Uni.createFrom().failure(new JobFailure(JobError.fromProblem(Problem.from(response, mapper), false)));
    }

    private Optional<String> deviceIn(String body) {
        return MountAnswer.device(body, mapper);
    }

    /** Whether the VPS's library lists the ISO as mounted (on the asked drive, if any); empty when unknown or not. */
    private Uni<Optional<Mounted>> mountedNow(JobContext ctx, String isoId) {
        return resolver.library(ctx).map(lib -> lib.flatMap(l -> mountedIn(ctx, l, isoId)));
    }

    /** The mount {@code library} lists for {@code isoId} on the asked drive (any drive when none was asked). */
    private static Optional<Mounted> mountedIn(JobContext ctx, IsoLibrary library, String isoId) {
        String asked = ctx.request().mount().device();
        return library.mountOf(isoId, asked).map(d -> new Mounted(d.device() != null ? d.device() : asked));
    }

    /**
     * A job recorded in MOUNTING: a mount call may have happened. The library is read first; when it
     * lists the ISO as mounted, the job is done. When it does not (or cannot tell: no {@code mounted}
     * list), the mount is called again: mounting the same ISO again leaves the same state.
     */
    private Uni<JobResult> resumeMount(JobContext ctx) {
        return resolver.library(ctx).onItem().transformToUni(lib -> {
            Optional<String> isoId = lib.flatMap(l -> l.idOf(ctx.request().filename()));
            if (isoId.isEmpty()) {
                return resolve(ctx); // then mountIfAsked mounts it
            }
            Optional<Mounted> mounted = mountedIn(ctx, lib.get(), isoId.get());
            if (mounted.isPresent()) {
                JobLog.info(LOG, ctx, "%s is already mounted: the previous owner's mount went through", isoId.get());
                return Uni.createFrom().item(mountedResult(ctx, isoId.get(), mounted.get()));
            }
            return mount(ctx, isoId.get());
        });
    }

    private Uni<Void> checkpoint(JobContext ctx, JobState state) {
        ctx.state = state;
        return journal.record(ctx, state);
    }
}
