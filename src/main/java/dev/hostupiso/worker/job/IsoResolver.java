package dev.hostupiso.worker.job;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.wire.IsoLibrary;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Finds the mountable id of a downloaded ISO: the {@code available[].id} whose {@code name} equals
 * the requested filename.
 */
@ApplicationScoped
public class IsoResolver {

    private static final Logger LOG = Logger.getLogger(IsoResolver.class);

    private final HostUpPort hostUp;
    private final Backoff backoff;
    private final Delays delays;
    private final Clock clock;
    private final WorkerConfig config;

    public IsoResolver(HostUpPort hostUp, Backoff backoff, Delays delays, Clock clock,
                       WorkerConfig config) {
        this.hostUp = hostUp;
        this.backoff = backoff;
        this.delays = delays;
        this.clock = clock;
        this.config = config;
    }

    /**
     * Reads the library once: the ISO's id if it is already listed. Used before re-submitting a
     * request whose earlier owner may have queued the download but died before recording it.
     */
    public Uni<Optional<String>> lookup(JobContext ctx) {
        IsoRequest req = ctx.request();
        return library(ctx).map(library -> library.flatMap(l -> l.idOf(req.filename())));
    }

    /** Reads the library once; empty when the answer is not a readable library. */
    public Uni<Optional<IsoLibrary>> library(JobContext ctx) {
        return hostUp.isoLibrary(ctx).map(answer -> answer instanceof HostUpPort.LibraryRead read
                ? read.library() : Optional.<IsoLibrary>empty());
    }

    /**
     * Reads the library on {@code plan}'s schedule until the ISO is listed, the plan makes no more reads, or the
     * next read would start after {@code until}: after a from-url call whose fate is unknown, a listed file means it
     * was queued. The first read is at once, the others from when the download could have ended
     * ({@link AmbiguityWatch#readAt}).
     */
    public Uni<Optional<String>> watch(JobContext ctx, AmbiguityWatch plan, Instant until) {
        Instant start = clock.instant();
        Duration[] previous = {Duration.ZERO};
        return readUntilListed(ctx, false, reads -> {
            Optional<Duration> next = plan.readAt(reads, ctx.expectedBytes(), previous[0]);
            if (next.isEmpty() || start.plus(next.get()).isAfter(until)) {
                return Optional.empty();
            }
            previous[0] = next.get();
            Duration wait = Duration.between(clock.instant(), start.plus(next.get()));
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        });
    }

    /**
     * The ISO id of a completed job. The list may lag the job: a missing entry is re-read with
     * backoff, up to {@code iso.resolve-attempts} reads within the deadline, then {@code iso_not_listed}.
     */
    public Uni<String> resolve(JobContext ctx) {
        return readUntilListed(ctx, true, reads -> {
            Duration wait = backoff.backoff(reads - 1);
            if (reads >= config.resolveAttempts() || clock.instant().plus(wait).isAfter(ctx.deadline())) {
                throw notListed(ctx, reads);
            }
            JobLog.debug(LOG, ctx, "%s not listed yet (read %d)", ctx.request().filename(), reads);
            return Optional.of(wait);
        }).map(Optional::get);
    }

    /**
     * The one library-reading loop: reads until the file is listed (present) or {@code waitAfter}, given how many
     * reads did not list it, gives no more wait (empty). An answer that is not a library fails the job when
     * {@code mustBeALibrary}, and counts as not listed otherwise.
     */
    private Uni<Optional<String>> readUntilListed(JobContext ctx, boolean mustBeALibrary,
                                                 IntFunction<Optional<Duration>> waitAfter) {
        int[] reads = {0};
        return AsyncLoop.untilPresent(() -> hostUp.isoLibrary(ctx).onItem().transformToUni(answer -> {
            if (answer instanceof HostUpPort.Refused refused && mustBeALibrary) {
                throw new JobFailure(JobError.fromProblem(refused.problem(), false));
            }
            Optional<String> id = answer instanceof HostUpPort.LibraryRead read
                    ? read.library().flatMap(l -> l.idOf(ctx.request().filename())) : Optional.empty();
            if (id.isPresent()) {
                return AsyncLoop.done(id);
            }
            Optional<Duration> wait = waitAfter.apply(++reads[0]);
            if (wait.isEmpty()) {
                return AsyncLoop.done(Optional.<String>empty());
            }
            return AsyncLoop.again(delays.after(wait.get()));
        }));
    }

    private static JobFailure notListed(JobContext ctx, int reads) {
        IsoRequest req = ctx.request();
        return new JobFailure(JobError.of("iso_not_listed", "ISO missing from the library",
                "Job " + ctx.jobId() + " completed but " + req.filename() + " is not in VPS " + req.vpsId()
                        + "'s ISO library after " + reads + " reads", true));
    }
}
