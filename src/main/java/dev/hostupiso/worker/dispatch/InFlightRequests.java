package dev.hostupiso.worker.dispatch;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.JobCancelledException;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.wire.OutcomeEvent;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.TopicPartition;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The requests this instance is working on, by request topic and {@code requestId} (two teams may
 * choose the same requestId: neither joins the other's job). A duplicate delivered while its
 * request runs joins it (one from-url, one outcome); the ledger answers duplicates of finished ones.
 * Also where jobs are stopped when their partition moves away: a stopped job leaves at once and
 * its timers and calls are cancelled, so the partition can come straight back and be resumed.
 */
@Startup // its gauges must exist from the first scrape, before any request arrives
@ApplicationScoped
public class InFlightRequests {

    /** One running request: its context, its shared outcome, and the subscription doing the work. */
    private static final class Running {
        final Instant since;
        final JobContext ctx;
        final CompletableFuture<OutcomeEvent> result = new CompletableFuture<>();
        volatile Cancellable work;

        Running(Instant since, JobContext ctx) {
            this.since = since;
            this.ctx = ctx;
        }

        Uni<OutcomeEvent> outcome() {
            return Uni.createFrom().emitter(emitter -> result.whenComplete((event, failure) -> {
                if (failure != null) {
                    emitter.fail(failure);
                } else {
                    emitter.complete(event);
                }
            }));
        }
    }

    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Runnable onSlotFreed;

    @Inject
    public InFlightRequests(Clock clock, WorkerConfig config, WorkerMetrics metrics, IntakeGate gate) {
        this(clock, gate::recheck);
        gate.bindInFlight(running::size);
        metrics.bindInFlight(running::size, this::oldestAgeSeconds, config.maxInFlight(), config.jobTimeout());
    }

    /** @param onSlotFreed runs whenever a request leaves, so intake can take the next one */
    InFlightRequests(Clock clock, Runnable onSlotFreed) {
        this.clock = clock;
        this.onSlotFreed = onSlotFreed;
    }

    /** The outcome of {@code requestId} of {@code topic} if it is running here. */
    public Optional<Uni<OutcomeEvent>> running(String topic, String requestId) {
        return Optional.ofNullable(running.get(key(topic, requestId))).map(Running::outcome);
    }

    private static String key(String topic, String requestId) {
        return (topic == null ? "" : topic) + "/" + requestId; // a requestId has no '/'
    }

    private static boolean isIn(Collection<TopicPartition> partitions, JobContext ctx) {
        return partitions.stream().anyMatch(tp -> tp.partition() == ctx.partition() && tp.topic().equals(ctx.topic()));
    }

    /**
     * Starts {@code work} for {@code ctx}'s request unless it already runs (then joins it). Every
     * duplicate shares the one outcome; the entry leaves when the work ends or is stopped.
     */
    public synchronized Uni<OutcomeEvent> start(JobContext ctx, Supplier<Uni<OutcomeEvent>> work) {
        String requestId = key(ctx.topic(), ctx.request().requestId());
        Running existing = running.get(requestId);
        if (existing != null) {
            return existing.outcome();
        }
        Running r = new Running(clock.instant(), ctx);
        running.put(requestId, r);
        // Subscribed here, not by whoever waits: resumed jobs run with nobody waiting on them.
        r.work = work.get().subscribe().with(event -> end(requestId, r, event, null), failure -> end(requestId, r, null, failure));
        return r.outcome();
    }

    private void end(String requestId, Running r, OutcomeEvent event, Throwable failure) {
        if (running.remove(requestId, r)) {
            onSlotFreed.run();
        }
        if (failure != null) {
            r.result.completeExceptionally(failure);
        } else {
            r.result.complete(event);
        }
    }

    /**
     * Prepares the hand-over of {@code partitions}: their jobs start no new from-url call, and this
     * waits (blocking, at most {@code grace}) for the calls already sent to be answered and recorded,
     * so the next owner knows whether a download was queued.
     */
    public void drainSubmissions(Collection<TopicPartition> partitions, Duration grace) {
        drain(r -> isIn(partitions, r.ctx), grace);
    }

    /** {@link #drainSubmissions} for every job (shutdown). */
    public void drainAllSubmissions(Duration grace) {
        drain(r -> true, grace);
    }

    private void drain(Predicate<Running> which, Duration grace) {
        running.values().stream().filter(which).forEach(r -> r.ctx.stopSubmitting());
        long until = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < until && running.values().stream().filter(which).anyMatch(r -> r.ctx.isSubmitting())) {
            try {
                Thread.sleep(20); // the consumer's or the shutdown thread, never an event loop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Stops the jobs of {@code partitions} now: they leave the registry at once, their timers and
     * calls are cancelled, and whoever joined them sees {@link JobCancelledException}. The
     * partitions' next owner (possibly this instance again) resumes them from the ledger.
     */
    public void cancel(Collection<TopicPartition> partitions) {
        stop(r -> isIn(partitions, r.ctx));
    }

    /** Stops every job (shutdown); their state is in the ledger. */
    public void cancelAll() {
        stop(r -> true);
    }

    private void stop(Predicate<Running> which) {
        List<Map.Entry<String, Running>> stopping = running.entrySet().stream().filter(e -> which.test(e.getValue())).toList();
        for (Map.Entry<String, Running> e : stopping) {
            Running r = e.getValue();
            r.ctx.cancel();
            if (running.remove(e.getKey(), r)) {
                Cancellable work = r.work;
                if (work != null) {
                    work.cancel();
                }
                r.result.completeExceptionally(new JobCancelledException(r.ctx.request().requestId()));
            }
        }
        if (!stopping.isEmpty()) {
            onSlotFreed.run();
        }
    }

    public int size() {
        return running.size();
    }

    private double oldestAgeSeconds() {
        Instant now = clock.instant();
        return running.values().stream().map(r -> r.since).min(Instant::compareTo)
                .map(since -> Duration.between(since, now).toMillis() / 1000.0).orElse(0.0);
    }
}
