package dev.hostupiso.worker.job;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.JobResult;
import dev.hostupiso.worker.wire.JobStatus;
import dev.hostupiso.worker.wire.UrlRedactor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs one request through HostUp with its account's key: queue the download (from-url), poll the
 * job, resolve the ISO id and, when asked, mount it. The returned {@link Uni} never fails: every way
 * a request can end is a {@link JobResult}.
 */
@ApplicationScoped
public class IsoJobRunner implements JobRunner {

    private static final Logger LOG = Logger.getLogger(IsoJobRunner.class);

    private final HostUpPort hostUp;
    private final JobPoller poller;
    private final IsoResolver resolver;
    private final JobJournal journal;
    private final PreflightStep preflight;
    private final Clock clock;
    private final MountStep mountStep;
    private final SubmitRecorder recorder;
    private final AmbiguityWatch watch;
    private final int maxSubmits;

    public IsoJobRunner(HostUpPort hostUp, JobPoller poller, IsoResolver resolver, JobJournal journal,
                        PreflightStep preflight, MountStep mountStep, Clock clock, WorkerConfig config) {
        this.hostUp = hostUp;
        this.poller = poller;
        this.resolver = resolver;
        this.journal = journal;
        this.preflight = preflight;
        this.mountStep = mountStep;
        this.clock = clock;
        this.recorder = new SubmitRecorder(journal);
        this.watch = new AmbiguityWatch(config.submit().ambiguityWindow(), config.poll().initialDelay());
        this.maxSubmits = config.submit().maxAttempts();
    }

    /**
     * Runs the request from wherever its context says it is: a new request is submitted, a resumed
     * one continues polling its recorded job or resolving its ISO, without a second from-url.
     * Fails only with {@link JobCancelledException}, when the job is handed over.
     */
    @Override
    public Uni<JobResult> run(JobContext ctx) {
        return hostUp.account(ctx).onItem().transformToUni(account -> {
            return work(ctx.withAccount(account));
        }).onItemOrFailure().transformToUni((result, failure) -> {
            if (failure instanceof JobCancelledException) {
                return Uni.createFrom().failure(failure);
            }
            return Uni.createFrom().item(failure == null ? result : finish(ctx, null, failure));
        });
    }

    private Uni<JobResult> work(JobContext ctx) {
        Uni<JobResult> work = switch (ctx.state()) {
            // Nothing was queued yet: every from-url call is preceded, on the wire, by SUBMITTING.
            case RECEIVED -> preflight.run(ctx).onItem().transformToUni(x -> submit(ctx, null));
            case SUBMITTING -> {
                JobLog.info(LOG, ctx, "resuming: a from-url call may have been made; looking in the ISO library first");
                yield submit(ctx, JobError.of("submit_unconfirmed", "Download not confirmed",
                        "A from-url call may have been made by a previous owner, and the file never appeared in the library",
                        true));
            }
            case SUBMITTED -> {
                JobLog.info(LOG, ctx, "resuming: polling %s", ctx.pollUrl());
                yield pollThenResolve(ctx);
            }
            case RESOLVING -> {
                JobLog.info(LOG, ctx, "resuming: resolving the ISO id");
                yield resolve(ctx);
            }
            case MOUNTING -> {
                JobLog.info(LOG, ctx, "resuming: a mount call may have been made; reading the VPS's mounted ISOs first");
                yield mountStep.resume(ctx, () -> resolve(ctx));
            }
            default -> Uni.createFrom().failure(new IllegalStateException("job already finished: " + ctx.state()));
        };
        return work.onFailure(IsoJobRunner::mayHaveSucceeded).recoverWithUni(f -> listedInstead(ctx, (JobFailure) f))
                .onItem().transformToUni(result -> mountStep.mountIfAsked(ctx, result))
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
                        return Uni.createFrom().item(ctx.completed(id.get()));
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
        if (ctx.downloadMayRun() && error.retryable()) {
            error = error.downloadMayStillComplete(ctx.request().filename()); // a retry would queue a second download
        }
        if (failure instanceof JobFailure) {
            JobLog.info(LOG, ctx, "failed: %s (%s)", error.code(), error.detail());
        } else {
            JobLog.error(LOG, failure, ctx, "failed unexpectedly");
        }
        return ctx.failed(error);
    }

    /**
     * Queues the download. SUBMITTING is made durable right before each call goes on the wire ("a download may
     * be queued from here on"), so whoever resumes this job, or a paused instance whose partition has moved on,
     * never calls from-url without knowing it may have been called before; a refusal records that nothing was
     * queued ({@link SubmitRecorder}).
     */
    private Uni<JobResult> submit(JobContext ctx, JobError unsettled) {
        // One loop: a round submits, or settles the ambiguous answer of the round before (the library is watched);
        // a settle that does not find the file and may call again ends its round empty, and the next round submits.
        JobError[] toSettle = {unsettled};
        return AsyncLoop.untilPresent(() -> {
            JobError ambiguous = toSettle[0];
            toSettle[0] = null;
            return ambiguous != null ? settle(ctx, ambiguous) : submitNow(ctx, error -> toSettle[0] = error);
        });
    }

    /** One from-url call: present when the request reached its end; empty, with {@code ambiguous} told, to settle first. */
    private Uni<Optional<JobResult>> submitNow(JobContext ctx, Consumer<JobError> ambiguous) {
        IsoRequest req = ctx.request();
        if (ctx.submissions() >= maxSubmits) {
            return Uni.createFrom().failure(new JobFailure(ctx.lastTransientError() != null ? ctx.lastTransientError()
                    : JobError.of("submit_unconfirmed", "Download not confirmed", "from-url was called " + ctx.submissions()
                    + " times without a clear answer and the file never appeared in the library", true)));
        }
        ctx.ensureActive();
        String url = ctx.urlToSubmit();
        JobLog.info(LOG, ctx, "queueing %s from %s into VPS %s", req.filename(), UrlRedactor.redact(url), req.vpsId());
        // The URL is resolved again before each call (a signed redirect target may have expired while waiting), and
        // before SUBMITTING is recorded, so the ledger holds what was submitted.
        return hostUp.fromUrl(ctx, recorder.onTheWire(ctx, () -> uncovered(ctx), () -> preflight.urlForSubmit(ctx)))
                .onItem().transformToUni(answer -> afterSubmit(ctx, answer)).map(Optional::of)
                .onFailure(AmbiguousSubmitException.class).recoverWithItem(f -> {
                    ctx.handOver.endSubmit();
                    JobError error = ((AmbiguousSubmitException) f).error();
                    ctx.sawTransient(error);
                    JobLog.warn(LOG, ctx, "from-url answer was ambiguous (%s); watching the ISO library before any new call",
                            error.code());
                    ambiguous.accept(error);
                    return Optional.empty();
                })
                .onTermination().invoke(ctx.handOver::endSubmit);
    }

    /**
     * After a from-url call whose fate is unknown: reads the library for the ambiguity window, sized from the
     * file's size ({@link AmbiguityWatch}). A listed file is success. Otherwise from-url is called again, within
     * the bound, and only when the time left before the deadline covers another window: a download queued at the
     * deadline's edge would run on unwatched, and its request would fail anyway.
     */
    private Uni<Optional<JobResult>> settle(JobContext ctx, JobError ifNeverListed) {
        Instant start = clock.instant();
        Duration window = watch.window(ctx.expectedBytes());
        return resolver.watch(ctx, watch, min(start.plus(window), ctx.deadline()))
                .onItem().transformToUni(id -> {
                    String file = ctx.request().filename();
                    if (id.isPresent()) {
                        JobLog.info(LOG, ctx, "%s appeared in the library: the download had been queued", file);
                        return AsyncLoop.done(ctx.completed(id.get()));
                    }
                    Duration watched = Duration.between(start, clock.instant());
                    Duration left = Duration.between(clock.instant(), ctx.deadline());
                    if (ctx.submissions() >= maxSubmits) {
                        return Uni.createFrom().failure(new JobFailure(ifNeverListed));
                    }
                    if (left.compareTo(window) < 0) {
                        JobLog.info(LOG, ctx, "%s did not appear within %s; the %s left cannot cover another download"
                                + " (window %s): not calling from-url again", file, watched, left, window);
                        return Uni.createFrom().failure(new JobFailure(JobError.of("job_timeout",
                                "The request's deadline passed", "from-url may have queued " + file + " but it did not"
                                        + " appear in the library within " + watched, true)));
                    }
                    JobLog.info(LOG, ctx, "%s did not appear within %s: calling from-url again", file, watched);
                    return Uni.createFrom().item(Optional.<JobResult>empty());
                });
    }

    /**
     * Before a from-url call goes out while an earlier one may have queued the download (retries and rate-limit
     * waits can carry a call this late): the time left must cover another ambiguity window.
     */
    private Optional<JobError> uncovered(JobContext ctx) {
        Duration left = Duration.between(clock.instant(), ctx.deadline());
        Duration window = watch.window(ctx.expectedBytes());
        if (ctx.submissions() == 0 || left.compareTo(window) >= 0) {
            return Optional.empty();
        }
        JobLog.info(LOG, ctx, "the %s left cannot cover another download (window %s): not calling from-url again",
                left, window);
        return Optional.of(JobError.of("job_timeout", "The request's deadline passed", "from-url may have queued "
                + ctx.request().filename() + ", and the time left cannot cover another download", true));
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private Uni<JobResult> afterSubmit(JobContext ctx, HostUpPort.FromUrlAnswer answer) {
        if (answer instanceof HostUpPort.Refused refused) {
            return Uni.createFrom().failure(new JobFailure(JobError.fromProblem(refused.problem(), false)));
        }
        Optional<HostUpPort.Accepted> accepted = answer instanceof HostUpPort.Accepted a ? Optional.of(a) : Optional.empty();
        Optional<String> answeredJobId = answer instanceof HostUpPort.AlreadyThere there ? there.jobId()
                : accepted.flatMap(a -> a.job().jobId());
        answeredJobId.ifPresent(id -> ctx.submission(s -> s.withJob(id)));
        ctx.submission(s -> s.withAlreadyExisted(answer instanceof HostUpPort.AlreadyThere));
        if (ctx.alreadyExisted() || accepted.map(a -> a.job().state() == JobStatus.State.COMPLETED).orElse(false)) {
            return resolve(ctx);
        }
        if (answer instanceof HostUpPort.NoJob none) {
            return Uni.createFrom().failure(new JobFailure(new JobError("invalid_response", "Unreadable from-url answer",
                    "HTTP " + none.status() + " without an operation envelope; the download may have been queued",
                    none.status(), true, List.of(), none.upstreamRequestId().orElse(null))));
        }
        HostUpPort.Accepted queued = accepted.orElseThrow();
        JobStatus op = queued.job();
        if (op.state() == JobStatus.State.FAILED) {
            return Uni.createFrom().failure(new JobFailure(JobError.jobFailed(
                    op.failureDetail().orElse("HostUp reported the job as failed"), queued.upstreamRequestId().orElse(null))));
        }
        String jobId = ctx.jobId();
        ctx.submission(s -> s.withPollUrl(op.pollUrl().orElse(jobId == null ? null : "/api/jobs/" + jobId)));
        if (ctx.pollUrl() == null) {
            return Uni.createFrom().failure(new JobFailure(new JobError("invalid_response", "No job to poll",
                    "from-url answered " + queued.status() + " with neither pollUrl nor jobId", queued.status(), true,
                    List.of(), queued.upstreamRequestId().orElse(null))));
        }
        JobLog.debug(LOG, ctx, "queued, polling %s", ctx.pollUrl());
        // Durable before polling: from here on a restart resumes this job instead of queueing another download.
        return checkpoint(ctx, JobState.SUBMITTED).invoke(ctx.handOver::endSubmit).onItem().transformToUni(x -> pollThenResolve(ctx));
    }

    private Uni<JobResult> pollThenResolve(JobContext ctx) {
        return poller.awaitCompletion(ctx).onItem().transformToUni(x -> resolve(ctx));
    }

    private Uni<JobResult> resolve(JobContext ctx) {
        ctx.handOver.endSubmit();
        Uni<Void> recorded = ctx.state() == JobState.RESOLVING ? Uni.createFrom().voidItem() : checkpoint(ctx, JobState.RESOLVING);
        return recorded.onItem().transformToUni(x -> resolver.resolve(ctx)).map(isoId -> ctx.completed(isoId));
    }

    private Uni<Void> checkpoint(JobContext ctx, JobState state) {
        ctx.recording(state);
        return journal.record(ctx, state);
    }
}
