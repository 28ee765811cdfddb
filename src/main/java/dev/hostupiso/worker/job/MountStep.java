package dev.hostupiso.worker.job;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.wire.IsoLibrary;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.JobResult;
import dev.hostupiso.worker.wire.Mounted;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Mounts a resolved ISO when the request asks for it, and resumes a mount that a previous owner may have made.
 * MOUNTING is durable before the mount call; the call itself is on the wire like a from-url call (a hand-over
 * waits, within its grace, for its answer to be recorded). A 202 answer's mount job is recorded (MOUNTING with its
 * poll URL) before it is polled, so whoever resumes the job polls that job instead of mounting a second time.
 * Mount jobs are polled without download progress events. Every failure is {@code mount_failed}, HostUp's own code
 * kept ({@link JobError#mountFailed}).
 */
@ApplicationScoped
public class MountStep {

    private static final Logger LOG = Logger.getLogger(MountStep.class);
    /** Reads of the VPS's mounts, within the hand-over grace, before a resumed job mounts again. */
    private static final int SETTLE_READS = 3;

    private final HostUpPort hostUp;
    private final JobPoller poller;
    private final IsoResolver resolver;
    private final JobJournal journal;
    private final Backoff backoff;
    private final Delays delays;
    private final Clock clock;
    private final int maxAttempts;
    /** How long a mount call a previous owner sent may take to show in the VPS's mounts. */
    private final Duration settle;

    public MountStep(HostUpPort hostUp, JobPoller poller, IsoResolver resolver, JobJournal journal,
                     Backoff backoff, Delays delays, Clock clock, WorkerConfig config) {
        this.hostUp = hostUp;
        this.poller = poller;
        this.resolver = resolver;
        this.journal = journal;
        this.backoff = backoff;
        this.delays = delays;
        this.clock = clock;
        this.maxAttempts = config.submit().maxAttempts();
        this.settle = config.handOverGrace();
    }

    /** Mounts the ISO of a completed {@code result} when the request asks for it (and it is not mounted yet). */
    Uni<JobResult> mountIfAsked(JobContext ctx, JobResult result) {
        if (!result.completed() || ctx.request().mount() == null || ctx.mounting().mounted() != null) {
            return Uni.createFrom().item(result);
        }
        String isoId = result.isoId();
        return checkpoint(ctx).onItem().transformToUni(x -> mount(ctx, isoId));
    }

    /**
     * A job recorded in MOUNTING: a mount call may have been made. The VPS's mounts are read first; listed is done.
     * A recorded mount job is polled to its end, never mounted again. Without one, the call may still be on its way
     * (its owner died before recording the answer): the mounts are read again for the hand-over grace before the
     * ISO is mounted again. {@code unresolved} runs when the ISO is not in the library at all.
     */
    Uni<JobResult> resume(JobContext ctx, Supplier<Uni<JobResult>> unresolved) {
        return resolver.library(ctx).onItem().transformToUni(lib -> {
            Optional<String> isoId = lib.flatMap(l -> l.idOf(ctx.request().filename()));
            if (isoId.isEmpty()) {
                return unresolved.get();
            }
            Optional<Mounted> mounted = mountedIn(ctx, lib.get(), isoId.get());
            if (mounted.isPresent()) {
                JobLog.info(LOG, ctx, "%s is already mounted: the previous owner's mount went through", isoId.get());
                return Uni.createFrom().item(mountedResult(ctx, isoId.get(), mounted.get()));
            }
            if (ctx.mountPollUrl() != null) {
                JobLog.info(LOG, ctx, "resuming the mount job at %s instead of mounting again", ctx.mountPollUrl());
                return failedAsMount(ctx, isoId.get(), awaitMountJob(ctx, ctx.mountPollUrl()))
                        .map(m -> mountedResult(ctx, isoId.get(), m));
            }
            return mountedWithinGrace(ctx, isoId.get()).onItem().transformToUni(found -> found.isPresent()
                    ? Uni.createFrom().item(mountedResult(ctx, isoId.get(), found.get()))
                    : mount(ctx, isoId.get()));
        });
    }

    private Uni<JobResult> mount(JobContext ctx, String isoId) {
        return failedAsMount(ctx, isoId, mountCall(ctx, isoId)).map(m -> mountedResult(ctx, isoId, m));
    }

    private static Uni<Mounted> failedAsMount(JobContext ctx, String isoId, Uni<Mounted> mount) {
        return mount.onFailure(f -> f instanceof JobFailure jf && !"mount_failed".equals(jf.error().code()))
                .transform(f -> new JobFailure(JobError.mountFailed(((JobFailure) f).error(), isoId)));
    }

    private JobResult mountedResult(JobContext ctx, String isoId, Mounted mounted) {
        ctx.mounting(m -> m.withMounted(mounted));
        JobLog.info(LOG, ctx, "mounted %s on %s", isoId, mounted.device() == null ? "a drive HostUp chose" : mounted.device());
        return ctx.completed(isoId);
    }

    /**
     * One mount call, retried as any call while HostUp's answers prove nothing happened. An ambiguous answer (a
     * 5xx, a timeout after sending) is followed by a read of the VPS's mounts: listed is success, otherwise the mount
     * is called again, at most {@code iso.submit.max-attempts} times in all.
     */
    private Uni<Mounted> mountCall(JobContext ctx, String isoId) {
        int[] attempt = {0};
        return AsyncLoop.untilPresent(() -> mountTry(ctx, isoId, ++attempt[0]));
    }

    /** One mount call: present once mounted; empty, after the backoff, to call again after an ambiguous answer. */
    private Uni<Optional<Mounted>> mountTry(JobContext ctx, String isoId, int attempt) {
        IsoRequest req = ctx.request();
        String device = req.mount().device();
        JobLog.info(LOG, ctx, "mounting %s on VPS %s%s", isoId, req.vpsId(), device == null ? "" : " (" + device + ")");
        return hostUp.mount(ctx, isoId, device, onTheWire(ctx))
                .onItem().transformToUni(answer -> afterMount(ctx, isoId, answer)).map(Optional::of)
                .onFailure(AmbiguousSubmitException.class).recoverWithUni(f -> {
                    ctx.handOver.endSubmit();
                    JobError error = ((AmbiguousSubmitException) f).error();
                    JobLog.warn(LOG, ctx, "mount answer was ambiguous (%s); reading the VPS's mounted ISOs", error.code());
                    return mountedNow(ctx, isoId).onItem().transformToUni(found -> {
                        if (found.isPresent()) {
                            return AsyncLoop.done(found.get());
                        }
                        if (attempt >= maxAttempts || !clock.instant().isBefore(ctx.deadline())) {
                            return Uni.createFrom().failure(new JobFailure(JobError.mountFailed(error, isoId)));
                        }
                        return AsyncLoop.again(delays.after(backoff.backoff(attempt - 1)));
                    });
                })
                .onTermination().invoke(ctx.handOver::endSubmit);
    }

    /** Each mount try on the wire: a hand-over gives its answer the grace to be recorded. */
    private static HostUpPort.OnTheWire<Void> onTheWire(JobContext ctx) {
        return new HostUpPort.OnTheWire<>() {
            @Override
            public Uni<Void> beforeTry() {
                return Uni.createFrom().voidItem().invoke(ctx.handOver::beginSubmit);
            }

            @Override
            public Uni<Void> refused() {
                return Uni.createFrom().voidItem();
            }
        };
    }

    /** HostUp's answer to a mount call: mounted at once, a mount job to poll, or a refusal. */
    private Uni<Mounted> afterMount(JobContext ctx, String isoId, HostUpPort.MountAnswer answer) {
        String asked = ctx.request().mount().device();
        if (answer instanceof HostUpPort.MountDone done) {
            return Uni.createFrom().item(new Mounted(done.device().orElse(asked)));
        }
        if (answer instanceof HostUpPort.MountJobFailed failed) {
            return Uni.createFrom().failure(new JobFailure(JobError.jobFailed(
                    failed.detail().orElse("HostUp reported the mount job as failed"), failed.upstreamRequestId().orElse(null))));
        }
        if (answer instanceof HostUpPort.MountQueued queued) {
            ctx.mounting(m -> m.withPollUrl(queued.pollUrl()));
            JobLog.debug(LOG, ctx, "mount queued, polling %s", ctx.mountPollUrl());
            // Durable before polling: from here on a restart polls this mount job instead of mounting again.
            return checkpoint(ctx).invoke(ctx.handOver::endSubmit).onItem().transformToUni(x -> awaitMountJob(ctx, ctx.mountPollUrl()));
        }
        ctx.handOver.endSubmit();
        JobFailure refused = new JobFailure(JobError.fromProblem(((HostUpPort.Refused) answer).problem(), false));
        // A conflict may be a first mount (a previous owner's) that went through meanwhile: listed is success.
        return mountedNow(ctx, isoId).onItem().transformToUni(found -> found.isPresent()
                ? Uni.createFrom().item(found.get()) : Uni.createFrom().failure(refused));
    }

    /** Polls a mount job to its end, without download progress events; then the asked drive (or HostUp's choice). */
    private Uni<Mounted> awaitMountJob(JobContext ctx, String pollUrl) {
        return poller.awaitCompletion(ctx, pollUrl, false).replaceWith(() -> new Mounted(ctx.request().mount().device()));
    }

    /**
     * Reads the VPS's mounts again, at a quarter, half and all of the hand-over grace (never past the deadline),
     * until the ISO is listed: the time a mount call sent by a previous owner has to show.
     */
    private Uni<Optional<Mounted>> mountedWithinGrace(JobContext ctx, String isoId) {
        int[] read = {0};
        return AsyncLoop.untilPresent(() -> {
            read[0]++;
            Duration wait = read[0] < SETTLE_READS ? settle.dividedBy(4) : settle.dividedBy(2);
            if (read[0] > SETTLE_READS || clock.instant().plus(wait).isAfter(ctx.deadline())) {
                return AsyncLoop.done(Optional.<Mounted>empty());
            }
            return delays.after(wait).onItem().transformToUni(x -> mountedNow(ctx, isoId))
                    .map(found -> found.isPresent() ? Optional.of(found) : Optional.<Optional<Mounted>>empty());
        });
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

    private Uni<Void> checkpoint(JobContext ctx) {
        ctx.recording(JobState.MOUNTING);
        return journal.record(ctx, JobState.MOUNTING);
    }
}
