package dev.hostupiso.worker.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.Delays;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.hostup.HostUpClient;
import dev.hostupiso.worker.hostup.IsoLibrary;
import dev.hostupiso.worker.hostup.Problem;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Finds the mountable id of a downloaded ISO: the {@code available[].id} whose {@code name} equals
 * the requested filename. The list may lag the job, so a missing entry is re-read with backoff
 * before the request fails with {@code iso_not_listed}.
 */
@ApplicationScoped
public class IsoResolver {

    private final HostUpClient client;
    private final RetryingCaller caller;
    private final RetryPolicy policy;
    private final WorkerConfig config;
    private final Delays delays;
    private final Clock clock;
    private final RandomGenerator random;
    private final ObjectMapper mapper;

    public IsoResolver(HostUpClient client, RetryingCaller caller, RetryPolicy policy, WorkerConfig config, Delays delays,
                       Clock clock, RandomGenerator random, ObjectMapper mapper) {
        this.client = client;
        this.caller = caller;
        this.policy = policy;
        this.config = config;
        this.delays = delays;
        this.clock = clock;
        this.random = random;
        this.mapper = mapper;
    }

    public Uni<String> resolve(JobContext ctx) {
        return read(ctx, 0);
    }

    private Uni<String> read(JobContext ctx, int attempt) {
        IsoRequest req = ctx.request();
        return caller.call(ctx, () -> client.isoLibrary(req.vpsId())).onItem().transformToUni(response -> {
            if (!response.isSuccess()) {
                return Uni.createFrom().failure(new JobFailure(JobError.fromProblem(Problem.from(response, mapper), false)));
            }
            Optional<String> id = IsoLibrary.parse(response.body(), mapper).flatMap(l -> l.idOf(req.filename()));
            if (id.isPresent()) {
                return Uni.createFrom().item(id.get());
            }
            Duration wait = policy.backoff(attempt, random.nextDouble());
            if (attempt + 1 >= config.resolveAttempts() || clock.instant().plus(wait).isAfter(ctx.deadline())) {
                return Uni.createFrom().failure(new JobFailure(JobError.of("iso_not_listed", "ISO missing from the library",
                        "Job " + ctx.jobId + " completed but " + req.filename() + " is not in VPS " + req.vpsId()
                                + "'s ISO library after " + (attempt + 1) + " reads", true)));
            }
            Log.debugf("%s %s not listed yet (read %d)", ctx.tag(), req.filename(), attempt + 1);
            return delays.after(wait).onItem().transformToUni(x -> read(ctx, attempt + 1));
        });
    }
}
