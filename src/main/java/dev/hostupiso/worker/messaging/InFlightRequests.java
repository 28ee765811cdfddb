package dev.hostupiso.worker.messaging;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The requests this instance is working on, by {@code requestId}. A duplicate delivered while its
 * request runs joins it (one from-url, one outcome); the ledger answers duplicates of finished ones.
 * Also where jobs are stopped when their partition moves away.
 */
@Startup // its gauges must exist from the first scrape, before any request arrives
@ApplicationScoped
public class InFlightRequests {

    private record Running(Instant since, JobContext ctx, Uni<OutcomeEvent> outcome) {
    }

    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Runnable onSlotFreed;

    public InFlightRequests(Clock clock, WorkerConfig config, WorkerMetrics metrics, IntakeGate gate) {
        this.clock = clock;
        this.onSlotFreed = gate::recheck;
        gate.bindInFlight(running::size);
        metrics.bindInFlight(running::size, this::oldestAgeSeconds, config.maxInFlight(), config.jobTimeout());
    }

    /** The outcome of {@code requestId} if it is running here. */
    public Optional<Uni<OutcomeEvent>> running(String requestId) {
        return Optional.ofNullable(running.get(requestId)).map(Running::outcome);
    }

    /**
     * Starts {@code work} for {@code ctx}'s request unless it already runs (then joins it). The
     * outcome is memoized so every duplicate shares it; the entry leaves when the work ends.
     */
    public synchronized Uni<OutcomeEvent> start(JobContext ctx, Supplier<Uni<OutcomeEvent>> work) {
        String requestId = ctx.request().requestId();
        Running r = running.get(requestId);
        if (r != null) {
            return r.outcome();
        }
        Uni<OutcomeEvent> outcome = work.get()
                .onTermination().invoke(() -> {
                    running.remove(requestId);
                    onSlotFreed.run();
                })
                .memoize().indefinitely();
        running.put(requestId, new Running(clock.instant(), ctx, outcome));
        outcome.subscribe().with(e -> { }, f -> { }); // runs even when no delivery waits on it (resumed jobs)
        return outcome;
    }

    /** Stops the jobs of {@code partitions}: they are handed over to the partitions' next owner. */
    public void cancel(Collection<Integer> partitions) {
        running.values().stream().filter(r -> partitions.contains(r.ctx().partition())).forEach(r -> r.ctx().cancel());
    }

    /** Stops every job (shutdown); their state is in the ledger. */
    public void cancelAll() {
        running.values().forEach(r -> r.ctx().cancel());
    }

    public int size() {
        return running.size();
    }

    private double oldestAgeSeconds() {
        Instant now = clock.instant();
        return running.values().stream().map(Running::since).min(Instant::compareTo)
                .map(since -> Duration.between(since, now).toMillis() / 1000.0).orElse(0.0);
    }
}
