package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.job.PollCourse;
import dev.hostupiso.worker.job.PollSchedule;
import dev.hostupiso.worker.job.RetryPolicy;
import dev.hostupiso.worker.job.ThroughputPrior;
import dev.hostupiso.worker.simulator.DownloadShape;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
     * The arm's jobs in order, one at a time, each polled through {@link PollCourse} as the worker's {@code JobPoller}
     * polls it: its first wait from the arm's own {@link ThroughputPrior} (silent for the first jobs), and once it is
     * seen done the prior learns from it as the worker's does (from what the polls saw, not from the true duration).
     */
    static List<Outcome> run(Arm arm, PollWorkload w, long seed) {
        Random random = new Random(seed);
        ThroughputPrior prior = new ThroughputPrior(Clock.fixed(T0, ZoneOffset.UTC));
        List<Outcome> out = new ArrayList<>(w.size());
        for (int i = 0; i < w.size(); i++) {
            PollCourse course = PollCourse.start(arm.schedule(), prior, T0, w.bytes().get(i));
            out.add(job(course, prior, w.shapes().get(i), w.durationsMs().get(i), random));
        }
        return out;
    }

    private static Outcome job(PollCourse course, ThroughputPrior prior, DownloadShape shape, long durationMs,
                               Random random) {
        long t = course.first(random.nextDouble()).toMillis();
        int polls = 0;
        while (true) {
            polls++;
            if (t >= durationMs) {
                if (!shape.fails()) { // the worker learns only from a download it sees completed
                    course.done(T0.plusMillis(t), prior);
                }
                return new Outcome(shape, durationMs, polls + 2, t - durationMs);
            }
            course.running(T0.plusMillis(t), Optional.of(reported(shape, (double) t / durationMs)));
            t += course.next(T0.plusMillis(t), Optional.empty(), random.nextDouble()).toMillis();
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
