package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.job.PollSchedule;
import dev.hostupiso.worker.job.RetryPolicy;
import dev.hostupiso.worker.job.ThroughputPrior;
import dev.hostupiso.worker.simulator.DownloadShape;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Scenario 6 in virtual time: the worker's own {@link PollSchedule} (the class the worker runs, not a copy) polls each
 * job of a {@link PollWorkload} whose answers follow the simulator's rules (queued for the first tenth, then the
 * shape's progress; a linear download reports whole percent, others exact bytes; done at its end). No HTTP, no
 * queues: calls per job are exact, and lateness is what the schedule alone costs (the real run adds the worker's and
 * the broker's time). It runs the same seeded workload through every arm in seconds, at sizes no real run affords.
 */
final class PollModel {

    /** One arm: a schedule as the worker would build it from its settings. */
    record Arm(String name, PollSchedule schedule) {

        /** A fixed poller: every wait, the first included, is {@code every}. */
        static Arm fixed(Duration every) {
            RetryPolicy p = new RetryPolicy(every, every, Duration.ofMinutes(10));
            return new Arm("fixed " + every.toSeconds() + " s", new PollSchedule(p, every, false));
        }

        static Arm backoff(RetryPolicy p) {
            return new Arm("backoff only", new PollSchedule(p, Duration.ofMinutes(10), false));
        }

        static Arm aware(RetryPolicy p) {
            return new Arm("progress-aware", new PollSchedule(p, Duration.ofMinutes(10), true));
        }

        /** A fixed poller's settings with progress awareness on: what its user gets by leaving the default on. */
        static Arm twin(Duration every) {
            RetryPolicy p = new RetryPolicy(every, every, Duration.ofMinutes(10));
            return new Arm(PollArms.TWIN + every.toSeconds() + " s", new PollSchedule(p, Duration.ofMinutes(10), true));
        }
    }

    /** One job through one arm: calls (from-url, polls, the ISO-list read) and how late the poll that saw it done was. */
    record Outcome(DownloadShape shape, long durationMs, int calls, double latenessMs) { }

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /**
     * The arm's jobs in order, one at a time; after each, its size and duration teach the arm's own
     * {@link ThroughputPrior}, which gives the next jobs their prior (a worker that has seen the jobs before).
     */
    static List<Outcome> run(Arm arm, PollWorkload w, long seed) {
        Random random = new Random(seed);
        ThroughputPrior prior = new ThroughputPrior();
        List<Outcome> out = new ArrayList<>(w.size());
        for (int i = 0; i < w.size(); i++) {
            long durationMs = w.durationsMs().get(i);
            Optional<Duration> quickest = prior.quickest(w.bytes().get(i));
            out.add(job(arm.schedule(), w.shapes().get(i), durationMs, quickest, random));
            prior.observe(w.bytes().get(i), Duration.ofMillis(durationMs));
        }
        return out;
    }

    private static Outcome job(PollSchedule schedule, DownloadShape shape, long durationMs, Optional<Duration> quickest,
                               Random random) {
        List<PollSchedule.Sample> history = new ArrayList<>();
        // The first wait: the initial delay, or (progress-aware, with a prior) the schedule's wait at submission.
        long t = quickest.isPresent() && schedule.progressAware()
                ? schedule.next(T0, List.of(), T0, 0, Optional.empty(), random.nextDouble(), quickest).toMillis()
                : schedule.backoff().initialDelay().toMillis();
        int polls = 0;
        while (true) {
            polls++;
            if (t >= durationMs) {
                return new Outcome(shape, durationMs, polls + 2, t - durationMs);
            }
            if (history.size() == PollSchedule.KEEP) {
                history.remove(0);
            }
            history.add(new PollSchedule.Sample(T0.plusMillis(t), reported(shape, (double) t / durationMs)));
            Duration wait = schedule.next(T0, List.copyOf(history), T0.plusMillis(t), polls, Optional.empty(),
                    random.nextDouble(), quickest);
            t += wait.toMillis();
        }
    }

    /** What the simulator reports at share {@code x} of the job's time (see its {@code JobEnvelopes}). */
    static double reported(DownloadShape shape, double x) {
        if (x < 0.1) {
            return 0;
        }
        if (shape == DownloadShape.LINEAR) {
            return Math.max(1, Math.min(99, (long) (x * 100))) / 100.0;
        }
        return Math.min(0.99, shape.progress(x));
    }

    private PollModel() {
    }
}
