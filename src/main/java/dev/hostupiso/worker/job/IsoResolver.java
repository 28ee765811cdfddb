package dev.hostupiso.worker.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.hostup.HostUpClient;
import dev.hostupiso.worker.hostup.IsoLibrary;
import dev.hostupiso.worker.hostup.Problem;
import org.jboss.logging.Logger;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Finds the mountable id of a downloaded ISO: the {@code available[].id} whose {@code name} equals
 * the requested filename. The list may lag the job, so a missing entry is re-read with backoff
 * before the request fails with {@code iso_not_listed}.
 */
@ApplicationScoped
public class IsoResolver {

    private static final Logger LOG = Logger.getLogger(IsoResolver.class);

    private final HostUpClient client;
    private final RetryingCaller caller;
    private final Backoff backoff;
    private final WorkerConfig config;
    private final ObjectMapper mapper;

    public IsoResolver(HostUpClient client, RetryingCaller caller, Backoff backoff, WorkerConfig config, ObjectMapper mapper) {
        this.client = client;
        this.caller = caller;
        this.backoff = backoff;
        this.config = config;
        this.mapper = mapper;
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
        IsoRequest req = ctx.request();
        return caller.call(ctx, () -> client.isoLibrary(ctx.account(), req.vpsId())).map(response -> response.isSuccess()
                ? IsoLibrary.parse(response.body(), mapper) : Optional.<IsoLibrary>empty());
    }

    /**
     * Reads the library with backoff until the ISO is listed or the next read would start after
     * {@code until}: after a from-url call whose fate is unknown, a listed file means it was queued.
     */
    public Uni<Optional<String>> watch(JobContext ctx, Instant until) {
        int[] reads = {0};
        return AsyncLoop.untilPresent(() -> lookup(ctx).onItem().transformToUni(id -> {
            if (id.isPresent()) {
                return Uni.createFrom().item(Optional.of(id));
            }
            Duration wait = backoff.backoff(reads[0]++);
            if (backoff.now().plus(wait).isAfter(until)) {
                return Uni.createFrom().item(Optional.of(Optional.<String>empty()));
            }
            return backoff.sleep(wait).replaceWith(Optional.<Optional<String>>empty());
        }));
    }

    public Uni<String> resolve(JobContext ctx) {
        return read(ctx, 0);
    }

    private Uni<String> read(JobContext ctx, int attempt) {
        IsoRequest req = ctx.request();
        return caller.call(ctx, () -> client.isoLibrary(ctx.account(), req.vpsId())).onItem().transformToUni(response -> {
            if (!response.isSuccess()) {
                return Uni.createFrom().failure(new JobFailure(JobError.fromProblem(Problem.from(response, mapper), false)));
            }
            Optional<String> id = IsoLibrary.parse(response.body(), mapper).flatMap(l -> l.idOf(req.filename()));
            if (id.isPresent()) {
                return Uni.createFrom().item(id.get());
            }
            Duration wait = backoff.backoff(attempt);
            if (attempt + 1 >= config.resolveAttempts() || !backoff.fits(wait, ctx.deadline())) {
                return Uni.createFrom().failure(new JobFailure(JobError.of("iso_not_listed", "ISO missing from the library",
                        "Job " + ctx.jobId + " completed but " + req.filename() + " is not in VPS " + req.vpsId()
                                + "'s ISO library after " + (attempt + 1) + " reads", true)));
            }
            JobLog.debug(LOG, ctx, "%s not listed yet (read %d)", req.filename(), attempt + 1);
            return backoff.sleep(wait).onItem().transformToUni(x -> read(ctx, attempt + 1));
        });
    }
}
