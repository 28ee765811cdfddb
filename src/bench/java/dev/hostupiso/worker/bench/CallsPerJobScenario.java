package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.localstack.WorkerProcess;
import dev.hostupiso.worker.simulator.DownloadShape;
import dev.hostupiso.worker.simulator.SimulatorControl;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.hostupiso.worker.bench.BenchEnv.env;
import static dev.hostupiso.worker.bench.BenchEnv.envInt;
import static dev.hostupiso.worker.bench.BenchEnv.say;
import static dev.hostupiso.worker.bench.Fmt.f0;
import static dev.hostupiso.worker.bench.Fmt.f1;
import static dev.hostupiso.worker.bench.Fmt.f2;

/**
 * Scenario 6, calls per job: what polling costs the API key's rate budget and how late it sees a download end, for
 * progress-aware polling against what users would pick instead (fixed 10, 30, 60, 120 s pollers; backoff only).
 * Downloads last 1–60 min, log-normal with a long tail ({@link PollWorkload}); a share of them (0, 25, 50 %) reports no
 * usable progress. Two parts, on the same seeded workload for every arm:
 * <ul>
 * <li><b>Model</b> ({@link PollModelReport}): the worker's own schedule classes in virtual time, thousands of jobs.</li>
 * <li><b>Real run</b>: one worker process per arm, all at once, against the simulator; time divided by
 * {@code BENCH_CALLS_SCALE}; calls counted by the simulator per VPS (one job per VPS); lateness from the simulator's
 * {@code finishAt} to the outcome at an independent consumer, multiplied back to real time.</li>
 * </ul>
 */
final class CallsPerJobScenario extends Scenario {

    CallsPerJobScenario(BenchStack stack) {
        super(stack);
    }

    @Override
    void run() throws Exception {
        long seed = Long.parseLong(env("BENCH_CALLS_SEED", "42"));
        List<Double> shares = List.of(env("BENCH_CALLS_SHARES", "0,0.25,0.5").split("\\s*,\\s*")).stream()
                .map(Double::parseDouble).toList();
        PollModelReport model = new PollModelReport(envInt("BENCH_CALLS_MODEL_JOBS", 5000), shares, seed);
        model.run();
        int jobs = envInt("BENCH_CALLS_JOBS", 60);
        int scale = envInt("BENCH_CALLS_SCALE", 20);
        Map<Double, List<PollArms.Figures>> real = new LinkedHashMap<>();
        List<Double> realShares = List.of(env("BENCH_CALLS_REAL_SHARES", String.join(",", shares.stream().map(String::valueOf)
                .toList())).split("\\s*,\\s*")).stream().map(Double::parseDouble).toList();
        for (double share : jobs > 0 ? realShares : List.<Double>of()) {
            real.put(share, realRun(PollWorkload.of(jobs, share, seed), share, scale));
        }
        model.write(results, out, real, jobs, scale);
    }

    /** Every arm at once, one worker each, on the same jobs. */
    private List<PollArms.Figures> realRun(PollWorkload w, double share, int scale) throws Exception {
        List<PollModel.Arm> arms = PollArms.all();
        say("6. calls per job, real run: " + w.size() + " downloads per arm, " + f0(share * 100) + " % without progress, "
                + "time ÷" + scale + ", arms " + arms.stream().map(PollModel.Arm::name).toList());
        sim.reset();
        sim.rateLimit(0, 0);
        List<Long> scaled = w.durationsMs().stream().map(d -> Math.max(1, d / scale)).toList();
        List<String> shapes = w.shapes().stream().map(DownloadShape::label).toList();
        Map<String, Kafka.Watcher> outcomes = new LinkedHashMap<>();
        List<WorkerProcess> workers = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Kafka.producer(bootstrap)) {
            for (int a = 0; a < arms.size(); a++) {
                String name = scenarioName(share, a);
                sim.vpsListed(vpsPrefix(share, a), scaled, shapes);
                ensureTopics(name);
                workers.add(startWorker(name, workerEnv(arms.get(a).name(), name, scale), List.of()));
                outcomes.put(name, new Kafka.Watcher(bootstrap, "bench-" + name + "-events"));
            }
            for (int a = 0; a < arms.size(); a++) {
                produce(producer, "bench-" + scenarioName(share, a) + "-requests", scenarioName(share, a), vpsPrefix(share, a),
                        0, w.size(), 0);
            }
            Duration timeout = Duration.ofMillis(PollWorkload.MAX_MS / scale * 3 + 120_000);
            for (Map.Entry<String, Kafka.Watcher> e : outcomes.entrySet()) {
                if (!e.getValue().await(w.size(), timeout)) {
                    say("   WARNING: " + e.getKey() + ": only " + e.getValue().arrivals.size() + " of " + w.size() + " outcomes");
                }
            }
        } finally {
            for (WorkerProcess worker : workers) {
                worker.close();
            }
            for (Kafka.Watcher watcher : outcomes.values()) {
                watcher.close();
            }
        }
        return figures(arms, outcomes, w, share, scale);
    }

    private List<PollArms.Figures> figures(List<PollModel.Arm> arms, Map<String, Kafka.Watcher> outcomes, PollWorkload w,
                                           double share, int scale) {
        Map<String, SimControl.Job> jobsByVps = new HashMap<>();
        sim.jobs().forEach(j -> jobsByVps.put(j.vpsId(), j));
        Map<String, Long> callsByVps = new HashMap<>();
        sim.calls().forEach(c -> callsByVps.merge(c.vpsId(), 1L, Long::sum));
        List<PollArms.Figures> figures = new ArrayList<>();
        for (int a = 0; a < arms.size(); a++) {
            String name = scenarioName(share, a);
            List<Double> calls = new ArrayList<>();
            List<Double> lateness = new ArrayList<>();
            for (int i = 0; i < w.size(); i++) {
                String vps = SimulatorControl.vpsId(vpsPrefix(share, a), i);
                long[] arrival = outcomes.get(name).arrivals.get(Kafka.requestId(name, i));
                SimControl.Job job = jobsByVps.get(vps);
                if (arrival != null && job != null) {
                    calls.add((double) callsByVps.getOrDefault(vps, 0L));
                    lateness.add((arrival[1] - job.finishMicros()) / 1e6 * scale);
                }
            }
            PollArms.Figures f = PollArms.Figures.of(arms.get(a).name(), calls, lateness);
            say("   " + f.arm() + ": " + f.jobs() + " jobs, calls/job " + f2(f.calls()) + ", lateness p50 " + f1(f.p50())
                    + " s, p99 " + f1(f.p99()) + " s (real time)");
            figures.add(f);
        }
        return figures;
    }

    /** The arm's worker settings divided by the scale, plus the scaled timings every arm shares. */
    private static Map<String, String> workerEnv(String arm, String name, int scale) {
        Map<String, String> env = new HashMap<>();
        PollArms.settings(arm).forEach((k, v) -> env.put(k, Math.max(1, v.toMillis() / scale) + "ms"));
        env.put("ISO_POLL_PROGRESS_AWARE", Boolean.toString(PollArms.progressAware(arm)));
        env.put("ISO_PROGRESS_MIN_INTERVAL", Math.max(1, 10_000 / scale) + "ms");
        env.put("ISO_SUBMIT_AMBIGUITY_WINDOW", Math.max(1, 600_000 / scale) + "ms");
        env.put("ISO_RETRY_AFTER_MAX", Math.max(1, 600_000 / scale) + "ms");
        env.put("ISO_PROGRESS_TOPIC", "bench-" + name + "-progress");
        return env;
    }

    private static String scenarioName(double share, int arm) {
        return "calls-" + Math.round(share * 100) + "-" + arm;
    }

    private static String vpsPrefix(double share, int arm) {
        return "vps_c" + Math.round(share * 100) + "_" + arm + "_";
    }
}
