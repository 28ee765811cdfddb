package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.job.RetryPolicy;
import dev.hostupiso.worker.simulator.DownloadShape;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.hostupiso.worker.bench.Stats.percentile;

/**
 * The arms of scenario 6 and how they compare: progress-aware polling against fixed 10, 30, 60 and 120 s pollers and
 * against backoff only, each as the worker runs it (the same settings the real run gives the worker processes).
 */
final class PollArms {

    /** The worker's defaults: first poll and floor 2 s, backoff cap 60 s. */
    static final RetryPolicy DEFAULTS = new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(10));
    static final List<Integer> FIXED_SECONDS = List.of(10, 30, 60, 120);

    /** Name prefix of a fixed poller's settings with progress awareness on. */
    static final String TWIN = "progress-aware, every ";

    /**
     * The arms: progress-aware at the defaults, backoff only, the fixed pollers, and each fixed poller's twin (its
     * settings with progress awareness on). The first is progress-aware at the defaults.
     */
    static List<PollModel.Arm> all() {
        List<PollModel.Arm> arms = new ArrayList<>();
        arms.add(PollModel.Arm.aware(DEFAULTS));
        arms.add(PollModel.Arm.backoff(DEFAULTS));
        FIXED_SECONDS.forEach(s -> arms.add(PollModel.Arm.fixed(Duration.ofSeconds(s))));
        FIXED_SECONDS.forEach(s -> arms.add(PollModel.Arm.twin(Duration.ofSeconds(s))));
        return arms;
    }

    /** Whether the arm polls with progress awareness on. */
    static boolean progressAware(String arm) {
        return arm.equals("progress-aware") || arm.startsWith(TWIN);
    }

    /**
     * The progress-aware arm to set against {@code arm}: a fixed poller's twin (the same settings, progress on), else
     * progress-aware at the defaults; empty for a progress-aware arm.
     */
    static java.util.Optional<String> challenger(String arm) {
        if (progressAware(arm)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(arm.startsWith("fixed ") ? TWIN + arm.substring("fixed ".length()) : "progress-aware");
    }

    /** Worker settings of an arm (real time; the caller scales them). */
    static Map<String, Duration> settings(String arm) {
        Map<String, Duration> env = new LinkedHashMap<>();
        if (arm.startsWith("fixed ") || arm.startsWith(TWIN)) {
            Duration every = Duration.ofSeconds(Long.parseLong(arm.replaceAll("\\D", "")));
            env.put("ISO_POLL_INITIAL_DELAY", every);
            env.put("ISO_POLL_MAX_DELAY", every);
            env.put("ISO_POLL_PROGRESS_MAX_DELAY", arm.startsWith(TWIN) ? Duration.ofMinutes(10) : every);
        } else {
            env.put("ISO_POLL_INITIAL_DELAY", DEFAULTS.initialDelay());
            env.put("ISO_POLL_MAX_DELAY", DEFAULTS.maxDelay());
            env.put("ISO_POLL_PROGRESS_MAX_DELAY", Duration.ofMinutes(10));
        }
        return env;
    }

    /** Figures of one arm on one workload: mean calls per job and lateness percentiles, seconds of real time. */
    record Figures(String arm, int jobs, double calls, double p50, double p99) {

        static Figures of(String arm, List<Double> calls, List<Double> latenessSeconds) {
            return new Figures(arm, calls.size(), calls.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN),
                    percentile(latenessSeconds, 50), percentile(latenessSeconds, 99));
        }

        static Figures of(String arm, List<PollModel.Outcome> outcomes) {
            return of(arm, outcomes.stream().map(o -> (double) o.calls()).toList(),
                    outcomes.stream().map(o -> o.latenessMs() / 1000).toList());
        }

        /** Fewer calls at no worse p99 lateness, or lower p99 lateness at no more calls. */
        boolean dominates(Figures other) {
            return calls < other.calls && p99 <= other.p99 || p99 < other.p99 && calls <= other.calls;
        }
    }

    /** The verdict of {@code aware} against {@code other}, in words. */
    static String verdict(Figures aware, Figures other) {
        if (aware.dominates(other)) {
            return "**dominates**";
        }
        if (other.dominates(aware)) {
            return "**dominated**";
        }
        return aware.calls < other.calls ? "fewer calls, worse p99 (**no dominance**)" : "better p99, more calls (**no dominance**)";
    }

    /** Linear jobs of one arm's outcomes: mean calls, and the p99 of lateness ÷ (5 % of the duration + 5 s). */
    static double[] linearTarget(List<PollModel.Outcome> outcomes) {
        List<PollModel.Outcome> linear = outcomes.stream().filter(o -> o.shape() == DownloadShape.LINEAR).toList();
        double calls = linear.stream().mapToInt(PollModel.Outcome::calls).average().orElse(Double.NaN);
        double ratio = percentile(linear.stream().map(o -> o.latenessMs() / (0.05 * o.durationMs() + 5000)).toList(), 99);
        return new double[] {calls, ratio};
    }

    private PollArms() {
    }
}
