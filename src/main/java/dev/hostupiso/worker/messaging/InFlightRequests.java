package dev.hostupiso.worker.messaging;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The requests this instance is working on, and the outcomes it published recently, by
 * {@code requestId}. It is what makes a duplicate delivery harmless: while a request is in flight a
 * duplicate joins it, and within the retention window after it finished a duplicate gets the very
 * same outcome event (same {@code ce_id}) without another API call.
 */
@ApplicationScoped
public class InFlightRequests {

    /** What to do with a delivered request. */
    public sealed interface Admission permits Started, Joined, Repeated {
        /** The request's published outcome, whoever runs it. */
        Uni<OutcomeEvent> outcome();
    }

    /** First delivery: the work was started. */
    public record Started(Uni<OutcomeEvent> outcome) implements Admission {
    }

    /** A duplicate of a request in flight. */
    public record Joined(Uni<OutcomeEvent> outcome) implements Admission {
    }

    /** A duplicate of a request that finished within the retention window. */
    public record Repeated(OutcomeEvent event) implements Admission {
        @Override
        public Uni<OutcomeEvent> outcome() {
            return Uni.createFrom().item(event);
        }
    }

    private record Running(Instant since, Uni<OutcomeEvent> outcome) {
    }

    private record Finished(Instant at, OutcomeEvent event) {
    }

    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final LinkedHashMap<String, Finished> finished = new LinkedHashMap<>();
    private final Clock clock;
    private final Duration retention;
    private final int maxFinished;
    private final Runnable onSlotFreed;

    public InFlightRequests(Clock clock, WorkerConfig config, WorkerMetrics metrics, IntakeGate gate) {
        this.clock = clock;
        this.retention = config.dedup().retention();
        this.maxFinished = config.dedup().maxEntries();
        this.onSlotFreed = gate::recheck;
        gate.bindInFlight(running::size);
        metrics.bindInFlight(running::size, this::oldestAgeSeconds, config.maxInFlight(), config.jobTimeout());
    }

    /**
     * Admits a delivery of {@code requestId}. {@code work} is subscribed only for a first delivery;
     * its outcome is memoized so that every duplicate shares it.
     */
    public synchronized Admission admit(String requestId, Supplier<Uni<OutcomeEvent>> work) {
        Running r = running.get(requestId);
        if (r != null) {
            return new Joined(r.outcome());
        }
        Finished f = recent(requestId);
        if (f != null) {
            return new Repeated(f.event());
        }
        Uni<OutcomeEvent> outcome = work.get()
                .onItem().invoke(event -> finish(requestId, event))
                .memoize().indefinitely();
        running.put(requestId, new Running(clock.instant(), outcome));
        return new Started(outcome);
    }

    private void finish(String requestId, OutcomeEvent event) {
        synchronized (this) {
            running.remove(requestId);
            finished.put(requestId, new Finished(clock.instant(), event));
            evict();
        }
        onSlotFreed.run();
    }

    public int size() {
        return running.size();
    }

    private Finished recent(String requestId) {
        evict();
        return finished.get(requestId);
    }

    private void evict() {
        Instant horizon = clock.instant().minus(retention);
        Iterator<Finished> it = finished.values().iterator();
        while (it.hasNext()) {
            Finished f = it.next();
            if (finished.size() > maxFinished || f.at().isBefore(horizon)) {
                it.remove();
            } else {
                break; // insertion order is finishing order: the rest is younger
            }
        }
    }

    private double oldestAgeSeconds() {
        Instant now = clock.instant();
        return running.values().stream().map(Running::since).min(Instant::compareTo)
                .map(since -> Duration.between(since, now).toMillis() / 1000.0).orElse(0.0);
    }
}
