package dev.hostupiso.worker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.localstack.WorkerProcess;
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
import static dev.hostupiso.worker.bench.Fmt.f2;
import static dev.hostupiso.worker.bench.Stats.cdf;
import static dev.hostupiso.worker.bench.Stats.percentile;

/**
 * Scenario 6, calls per job: what each request costs the API key's rate budget. The same workload (downloads of 1–20
 * minutes in mixed progress shapes, durations and shapes seeded alike) runs at the same time through two workers, one
 * polling from progress ({@code ISO_POLL_PROGRESS_AWARE=true}) and one backing off only. Time is scaled: job durations
 * and every worker timing are divided by {@code BENCH_CALLS_SCALE} (20: a 20-minute download takes 60 s, the 2 s/60 s
 * backoff is 100 ms/3 s). Calls are counted by the simulator per VPS (one job per VPS), independently of the worker,
 * and compared with what the worker put in each outcome ({@code apiCalls}).
 */
final class CallsPerJobScenario extends Scenario {

    /** The mix of shapes, one per job in turn: mostly steady downloads, some awkward ones. */
    static final List<String> SHAPES = List.of("linear", "linear", "linear", "slow-start", "slow-start", "stalls", "jump",
            "verifying-tail", "fail-at-80");

    /** Short names under the bars, so that twelve of them fit. */
    private static final Map<String, String> ABBREVIATIONS = Map.of("linear", "linear", "slow-start", "slow", "stalls", "stalls",
            "jump", "jump", "verifying-tail", "tail 99%", "fail-at-80", "fail 80%");

    private final ObjectMapper json = new ObjectMapper();

    CallsPerJobScenario(BenchStack stack) {
        super(stack);
    }

    /** One arm of the comparison. */
    private record Arm(String name, String scenario, String vpsPrefix, boolean progressAware) { }

    /** Per job of one arm: calls seen by the simulator, calls the worker reported, latency, shape. */
    private record JobRun(String shape, long simCalls, long simPolls, long reportedCalls, double latencyMs, boolean failed) { }

    @Override
    void run() throws Exception {
        int jobs = envInt("BENCH_CALLS_JOBS", 500);
        // 20: a 20-minute download takes 60 s. Much more and the scaled request rate (60× the real one at 60) is more
        // than two shared cores serve: every poll then waits in queues and the figures measure the machine, not polling.
        int scale = envInt("BENCH_CALLS_SCALE", 20);
        double perSecond = Double.parseDouble(env("BENCH_CALLS_RATE", "25"));
        long minMs = 60_000L / scale * 1;
        long maxMs = 60_000L * 20 / scale;
        long seed = Long.parseLong(env("BENCH_CALLS_SEED", "42"));
        Map<String, String> timing = Map.of(
                "ISO_POLL_INITIAL_DELAY", Math.max(1, 2000 / scale) + "ms",
                "ISO_POLL_MAX_DELAY", Math.max(1, 60_000 / scale) + "ms",
                "ISO_POLL_PROGRESS_MAX_DELAY", Math.max(1, 600_000 / scale) + "ms",
                "ISO_PROGRESS_MIN_INTERVAL", Math.max(1, 10_000 / scale) + "ms",
                "ISO_SUBMIT_AMBIGUITY_WINDOW", Math.max(1, 600_000 / scale) + "ms",
                "ISO_RETRY_AFTER_MAX", Math.max(1, 600_000 / scale) + "ms");
        List<Arm> arms = List.of(new Arm("progress-aware", "calls-aware", "vps_ca_", true),
                new Arm("backoff only", "calls-backoff", "vps_cb_", false));
        say("6. calls per job: " + jobs + " downloads of 1–20 min (÷" + scale + ": " + minMs / 1000.0 + "–" + maxMs / 1000.0
                + " s) arriving at " + f0(perSecond) + "/s per arm, shapes " + String.join(",", SHAPES) + "; progress-aware and backoff-only side by side");
        sim.reset();
        sim.rateLimit(0, 0);
        for (Arm arm : arms) { // same seed: the same durations and shapes for job i in both arms
            sim.vpsShaped(arm.vpsPrefix(), jobs, minMs, maxMs, String.join(",", SHAPES), seed);
            ensureTopics(arm.scenario());
        }
        Map<Arm, Kafka.Watcher> outcomes = new LinkedHashMap<>();
        List<WorkerProcess> workers = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Kafka.producer(bootstrap)) {
            for (Arm arm : arms) {
                Map<String, String> env = new HashMap<>(timing);
                env.put("ISO_POLL_PROGRESS_AWARE", Boolean.toString(arm.progressAware()));
                env.put("ISO_PROGRESS_TOPIC", "bench-" + arm.scenario() + "-progress");
                workers.add(startWorker(arm.scenario(), env, List.of()));
                outcomes.put(arm, new Kafka.Watcher(bootstrap, "bench-" + arm.scenario() + "-events"));
            }
            // Arrivals spread at BENCH_CALLS_RATE per arm, interleaved in small batches so neither arm gets a head start.
            int batch = 5;
            long t0 = System.nanoTime();
            for (int from = 0; from < jobs; from += batch) {
                long wait = t0 + (long) (from / perSecond * 1e9) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
                for (Arm arm : arms) {
                    produce(producer, "bench-" + arm.scenario() + "-requests", arm.scenario(), arm.vpsPrefix(), from,
                            Math.min(jobs, from + batch), 0);
                }
            }
            Duration timeout = Duration.ofMillis(maxMs * 3 + 120_000);
            for (Map.Entry<Arm, Kafka.Watcher> e : outcomes.entrySet()) {
                if (!e.getValue().await(jobs, timeout)) {
                    say("   WARNING: " + e.getKey().name() + ": only " + e.getValue().arrivals.size() + " of " + jobs + " outcomes");
                }
            }
        } finally {
            for (WorkerProcess w : workers) {
                w.close();
            }
            for (Kafka.Watcher w : outcomes.values()) {
                w.close();
            }
        }

        Map<String, SimControl.Job> jobsByVps = new HashMap<>();
        for (SimControl.Job j : sim.jobs()) {
            jobsByVps.put(j.vpsId(), j);
        }
        Map<String, long[]> callsByVps = new HashMap<>(); // {all, polls}
        for (SimControl.Call c : sim.calls()) {
            long[] n = callsByVps.computeIfAbsent(c.vpsId(), k -> new long[2]);
            n[0]++;
            if (c.endpoint().equals("JOB")) {
                n[1]++;
            }
        }
        Map<Arm, List<JobRun>> runs = new LinkedHashMap<>();
        for (Map.Entry<Arm, Kafka.Watcher> e : outcomes.entrySet()) {
            Arm arm = e.getKey();
            List<JobRun> list = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                String vps = dev.hostupiso.worker.simulator.SimulatorControl.vpsId(arm.vpsPrefix(), i);
                String rid = Kafka.requestId(arm.scenario(), i);
                long[] arrival = e.getValue().arrivals.get(rid);
                SimControl.Job job = jobsByVps.get(vps);
                if (arrival == null || job == null) {
                    continue;
                }
                long[] calls = callsByVps.getOrDefault(vps, new long[2]);
                JsonNode outcome = json.readTree(e.getValue().values.get(rid));
                list.add(new JobRun(SHAPES.get(i % SHAPES.size()), calls[0], calls[1], outcome.path("apiCalls").path("total").asLong(-1),
                        (arrival[1] - job.finishMicros()) / 1000.0, "failed".equals(outcome.path("status").asText())));
            }
            runs.put(arm, list);
        }
        report(runs, jobs, scale, minMs, maxMs, perSecond);
    }

    private void report(Map<Arm, List<JobRun>> runs, int jobs, int scale, long minMs, long maxMs, double perSecond)
            throws Exception {
        List<Arm> arms = new ArrayList<>(runs.keySet());
        Map<Arm, ArmStats> stats = new LinkedHashMap<>();
        for (Arm arm : arms) {
            stats.put(arm, ArmStats.of(runs.get(arm)));
            ArmStats s = stats.get(arm);
            say("   " + arm.name() + ": " + s.n + " jobs; calls per job mean " + f2(s.mean) + ", p50 " + f0(s.p50) + ", p90 "
                    + f0(s.p90) + ", p99 " + f0(s.p99) + " (polls mean " + f2(s.pollMean) + "); completion → outcome p50 "
                    + f0(s.lat50) + " ms, p99 " + f0(s.lat99) + " ms; worker's apiCalls = simulator's count for " + s.agree
                    + " of " + s.n);
        }
        ArmStats aware = stats.get(arms.get(0));
        ArmStats blind = stats.get(arms.get(1));
        double ratio = aware.mean / blind.mean;
        double latRatio = aware.lat99 / blind.lat99;
        say("   ratio of mean calls per job " + f2(ratio) + " (target ≤ 0.50); latency p99 ratio " + f2(latRatio) + " (target ≤ 1.00)");
        results.row("6. Calls per job, progress-aware vs backoff only (mean)", f2(aware.mean) + " vs " + f2(blind.mean),
                "0.5 × backoff only = " + f2(blind.mean / 2), ratio, "≤ 0.50", ratio <= 0.5);
        results.row("6. Calls per job, progress-aware (mean)", f2(aware.mean), "5 calls (fixed target)", aware.mean / 5,
                "≤ 1.00", aware.mean <= 5);
        results.row("6. Completion → outcome p99, progress-aware vs backoff only", f0(aware.lat99) + " ms vs "
                + f0(blind.lat99) + " ms", "backoff only's p99", latRatio, "≤ 1.00", latRatio <= 1.0);

        StringBuilder byShape = new StringBuilder("| shape | jobs | calls/job progress-aware (mean, p90) | backoff only (mean, p90) "
                + "| latency p99 progress-aware | backoff only |\n|---|---|---|---|---|---|\n");
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (String shape : SHAPES.stream().distinct().toList()) {
            ArmStats a = ArmStats.of(runs.get(arms.get(0)).stream().filter(r -> r.shape().equals(shape)).toList());
            ArmStats b = ArmStats.of(runs.get(arms.get(1)).stream().filter(r -> r.shape().equals(shape)).toList());
            byShape.append("| ").append(shape).append(" | ").append(a.n).append(" | ").append(f2(a.mean)).append(", ")
                    .append(f0(a.p90)).append(" | ").append(f2(b.mean)).append(", ").append(f0(b.p90)).append(" | ")
                    .append(f0(a.lat99)).append(" ms | ").append(f0(b.lat99)).append(" ms |\n");
            String abbreviated = ABBREVIATIONS.getOrDefault(shape, shape);
            labels.add(abbreviated + " A");
            values.add(a.mean);
            labels.add(abbreviated + " B");
            values.add(b.mean);
        }
        results.section("6. Calls per job", String.join("\n",
                "- " + jobs + " downloads per arm lasting 1–20 min, scaled ÷" + scale + " (" + minMs / 1000.0 + "–" + maxMs / 1000.0
                        + " s; worker timings scaled alike: `ISO_POLL_INITIAL_DELAY` 2 s → " + 2000 / scale + " ms, `ISO_POLL_MAX_DELAY` "
                        + "60 s → " + 60_000 / scale + " ms, `ISO_POLL_PROGRESS_MAX_DELAY` 10 min → " + 600_000 / scale + " ms), shapes in turn: "
                        + String.join(", ", SHAPES) + ", arriving at " + f0(perSecond) + "/s per arm. Both arms at the same time, on the same seeded durations and shapes, "
                        + "each through its own worker; the only difference is `ISO_POLL_PROGRESS_AWARE`.",
                "- Calls per job: every HostUp call the simulator received for the job's VPS (from-url, polls, ISO list reads). "
                        + "The worker's own `apiCalls` in the outcome matched that count for " + aware.agree + " of " + aware.n
                        + " (progress-aware) and " + blind.agree + " of " + blind.n + " (backoff only) jobs.",
                "- Progress-aware: mean " + f2(aware.mean) + ", p50 " + f0(aware.p50) + ", p90 " + f0(aware.p90) + ", p99 " + f0(aware.p99)
                        + " calls (polls: mean " + f2(aware.pollMean) + "). Backoff only: mean " + f2(blind.mean) + ", p50 " + f0(blind.p50)
                        + ", p90 " + f0(blind.p90) + ", p99 " + f0(blind.p99) + " (polls: mean " + f2(blind.pollMean) + "). Ratio of means "
                        + f2(ratio) + ".",
                "- Completion → outcome (from the simulator's `finishAt` to the outcome at an independent consumer), scaled time: "
                        + "progress-aware p50 " + f0(aware.lat50) + " ms, p99 " + f0(aware.lat99) + " ms; backoff only p50 " + f0(blind.lat50)
                        + " ms, p99 " + f0(blind.lat99) + " ms (×" + scale + " for real time).",
                "",
                byShape.toString().strip(),
                "",
                "- Plot: `bench/calls-per-job.png`."));
        Plot.write(out.resolve("calls-per-job.png"), "6. Calls per job — " + jobs + " downloads of 1–20 min (÷" + scale
                        + "), progress-aware vs backoff only",
                List.of(new Plot.Panel("HostUp calls per job (CDF)", "calls per job", "percent of jobs")
                                .add(Plot.Series.line("progress-aware", cdf(aware.calls)))
                                .add(Plot.Series.line("backoff only", cdf(blind.calls)))
                                .vref("progress-aware mean", aware.mean).vref("backoff only mean", blind.mean),
                        new Plot.Panel("Completion → outcome (CDF, scaled ms)", "milliseconds", "percent of jobs")
                                .add(Plot.Series.line("progress-aware", cdf(aware.latency)))
                                .add(Plot.Series.line("backoff only", cdf(blind.latency)))
                                .vref("progress-aware p99", aware.lat99).vref("backoff only p99", blind.lat99),
                        Plot.Panel.bars("Mean calls per job by shape (A = progress-aware, B = backoff only)", "calls per job", labels.toArray(new String[0]),
                                values.stream().mapToDouble(Double::doubleValue).toArray())));
    }

    /** Distribution figures of one arm (or one shape of it). */
    private record ArmStats(int n, List<Double> calls, List<Double> latency, double mean, double p50, double p90, double p99,
                         double pollMean, double lat50, double lat99, int agree) {
        static ArmStats of(List<JobRun> runs) {
            List<Double> calls = runs.stream().map(r -> (double) r.simCalls()).toList();
            List<Double> latency = runs.stream().map(JobRun::latencyMs).toList();
            double mean = calls.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double polls = runs.stream().mapToLong(JobRun::simPolls).average().orElse(Double.NaN);
            int agree = (int) runs.stream().filter(r -> r.reportedCalls() == r.simCalls()).count();
            return new ArmStats(runs.size(), calls, latency, mean, percentile(calls, 50), percentile(calls, 90), percentile(calls, 99),
                    polls, percentile(latency, 50), percentile(latency, 99), agree);
        }
    }
}
