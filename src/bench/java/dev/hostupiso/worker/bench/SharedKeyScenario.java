package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.localstack.WorkerProcess;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.hostupiso.worker.bench.BenchEnv.env;
import static dev.hostupiso.worker.bench.BenchEnv.envDuration;
import static dev.hostupiso.worker.bench.BenchEnv.envInt;
import static dev.hostupiso.worker.bench.BenchEnv.say;
import static dev.hostupiso.worker.bench.Fmt.f0;
import static dev.hostupiso.worker.bench.Fmt.f1;
import static dev.hostupiso.worker.bench.Fmt.f2;
import static dev.hostupiso.worker.bench.Fmt.pct;
import static dev.hostupiso.worker.bench.Stats.histogram;

/**
 * 7. One key, three instances: three worker processes of one consumer group share one API key the simulator limits to
 * {@code BENCH_SK_LIMIT} calls per {@code BENCH_SK_WINDOW}, counted as a fixed window, a sliding window and a token
 * bucket (one run each, {@code BENCH_SK_MODELS}), on a backlog that outlasts {@code BENCH_SK_WINDOWS} windows. Measures,
 * over those windows, the allowed calls used and the calls answered 429, in all and per instance.
 */
final class SharedKeyScenario extends Scenario {

    private static final int INSTANCES = 3;

    SharedKeyScenario(BenchStack stack) {
        super(stack);
    }

    @Override
    void run() throws Exception {
        int limit = envInt("BENCH_SK_LIMIT", 120);
        Duration window = envDuration("BENCH_SK_WINDOW", "10s");
        int windows = envInt("BENCH_SK_WINDOWS", 10);
        List<String> models = List.of(env("BENCH_SK_MODELS", "fixed,sliding,token-bucket").split("\\s*,\\s*"));
        List<String> notes = new ArrayList<>();
        List<Plot.Panel> panels = new ArrayList<>();
        for (String model : models) {
            runModel(model, limit, window, windows, notes, panels);
        }
        results.section("7. One key, three instances", String.join("\n", notes));
        Plot.write(out.resolve("sharedkey.png"), "7. One key, three instances — " + limit + " calls / "
                + window.toSeconds() + " s per key", panels);
    }

    private void runModel(String model, int limit, Duration window, int windows, List<String> notes,
                          List<Plot.Panel> panels) throws Exception {
        // Each request costs about 3 calls; queue enough for half as many windows again, so work never runs out.
        int requests = (int) Math.ceil(limit * (windows * 1.5) / 3.0);
        String name = "sharedkey-" + model;
        String vpsPrefix = "vps_k_" + model.replace('-', '_') + "_";
        say("7. one key, three instances (" + model + "): " + requests + " requests, " + limit + " calls per "
                + window.toMillis() + " ms per key");
        sim.reset();
        sim.vps(vpsPrefix, requests, 0, 0);
        ensureTopics(name);
        sim.rateLimit(limit, window.toMillis(), model);
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_GROUP_ID", "bench-" + name);
        env.put("ISO_LEDGER_TOPIC", "bench-" + name + "-jobs");
        env.put("ISO_POLL_INITIAL_DELAY", "500ms");
        env.put("ISO_POLL_MAX_DELAY", "5s");
        List<WorkerProcess> workers = new ArrayList<>();
        List<SimControl.Call> calls;
        List<Map<String, Double>> perInstance = new ArrayList<>();
        try (Kafka.Watcher events = new Kafka.Watcher(bootstrap, "bench-" + name + "-events")) {
            try {
                for (int i = 0; i < INSTANCES; i++) {
                    Map<String, String> own = new HashMap<>(env);
                    own.put("HOSTUP_API_INSTANCE_NAME", "instance-" + (i + 1));
                    workers.add(startWorker(name, own, List.of()));
                }
                // the group settles (one request partition each) before the backlog arrives
                Thread.sleep(8000);
                try (KafkaProducer<String, String> p = Kafka.producer(bootstrap)) {
                    produce(p, "bench-" + name + "-requests", "sk" + model.charAt(0), vpsPrefix, 0, requests, 0);
                }
                say("   " + requests + " requests queued");
                long runFor = window.toMillis() * (windows + 1) + 5000;
                Thread.sleep(runFor);
                calls = sim.calls();
                for (WorkerProcess w : workers) {
                    perInstance.add(callsByStatus(w.get("/q/metrics")));
                }
            } finally {
                for (WorkerProcess w : workers) {
                    w.close();
                }
            }
            say("   " + events.arrivals.size() + " of " + requests + " outcomes by then");
        }
        sim.rateLimit(0, 0);
        List<String> dump = new ArrayList<>();
        dump.add("at_micros,endpoint,vps,job,status");
        calls.forEach(c -> dump.add(c.atMicros() + "," + c.endpoint() + "," + c.vpsId() + "," + c.jobId() + "," + c.status()));
        Files.write(work.resolve(name + "-calls.csv"), dump);

        long first = calls.get(0).atMicros();
        long windowMicros = window.toMillis() * 1000;
        long cutoff = first + windows * windowMicros;
        List<SimControl.Call> measured = calls.stream().filter(c -> c.atMicros() < cutoff).toList();
        long used = measured.stream().filter(c -> c.status() != 429).count();
        long refused = measured.stream().filter(c -> c.status() == 429).count();
        // A token bucket starts full: its capacity comes on top of the refill over the windows.
        double allowed = limit * (double) windows + (model.startsWith("token") ? limit : 0);
        double usedFraction = used / allowed;
        double refusedFraction = refused / (double) Math.max(1, measured.size());
        int peak = Stats.peak(measured.stream().mapToLong(SimControl.Call::atMicros).sorted().toArray(), 1_000_000);
        double burst = peak / (limit / (window.toMillis() / 1000.0));
        StringBuilder split = new StringBuilder();
        for (int i = 0; i < perInstance.size(); i++) {
            // Counted by the simulator, from the User-Agent each worker sends; the worker's own gauges beside it.
            String agent = "hostup-iso-worker (instance-" + (i + 1) + ")";
            long mine = measured.stream().filter(c -> agent.equals(c.client())).count();
            long mine429 = measured.stream().filter(c -> agent.equals(c.client()) && c.status() == 429).count();
            Map<String, Double> m = perInstance.get(i);
            split.append(i == 0 ? "" : "; ").append("instance ").append(i + 1).append(": ").append(mine)
                    .append(" calls (measured share ").append(f2(mine / (double) Math.max(1, measured.size())))
                    .append("), ").append(mine429).append(" answered 429; its own gauge: share ")
                    .append(f2(m.getOrDefault("share", Double.NaN))).append(", last paced rate ")
                    .append(f2(m.getOrDefault("rate", Double.NaN))).append("/s");
        }
        long unattributed = measured.stream().filter(c -> !c.client().startsWith("hostup-iso-worker (instance-")).count();
        if (unattributed > 0) {
            split.append("; ").append(unattributed).append(" calls without an instance's User-Agent");
        }
        say("   " + model + ": used " + used + " of " + f0(allowed) + " (" + pct(usedFraction) + "), 429: " + refused
                + " of " + measured.size() + " (" + pct(refusedFraction) + "), burst " + f2(burst) + "×; " + split);
        String label = "7. One key, 3 instances, " + model;
        results.row(label + ": allowed calls used", used + " calls in " + windows + " windows",
                f0(allowed) + " allowed (" + limit + " per " + window.toSeconds() + " s" + (model.startsWith("token")
                        ? ", plus the full bucket" : "") + ")", usedFraction, "≥ 0.95", usedFraction >= 0.95);
        results.row(label + ": calls answered 429", refused + " of " + measured.size(), "all calls", refusedFraction,
                "≤ 0.01", refusedFraction <= 0.01);
        notes.add("- **" + model + "**: " + requests + " requests queued after three workers of one group joined (one "
                + "request partition each); over the first " + windows + " windows after the first call: " + used
                + " calls answered, " + refused + " answered 429, busiest 1 s " + peak + " calls (" + f2(burst)
                + "× the average). Per instance, over the same windows, counted by the simulator from each call's "
                + "`User-Agent` (`HOSTUP_API_INSTANCE_NAME`): " + split + ".");
        long[] ok = measured.stream().filter(c -> c.status() != 429).mapToLong(c -> (c.atMicros() - first) * 1000).toArray();
        long[] rej = measured.stream().filter(c -> c.status() == 429).mapToLong(c -> (c.atMicros() - first) * 1000).toArray();
        panels.add(new Plot.Panel(model + ": calls per second seen by the simulator", "seconds since the first call",
                "calls / s").add(Plot.Series.line("answered", histogram(ok, 1e9)))
                .add(Plot.Series.line("answered 429", histogram(rej, 1e9)))
                .ref("allowed average", limit / (window.toMillis() / 1000.0)));
    }

    /** From a worker's Prometheus text: its HostUp calls in all, those answered 429, its share and paced rate. */
    static Map<String, Double> callsByStatus(String metrics) {
        Map<String, Double> m = new HashMap<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("isoworker_api_calls_total{")) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                m.merge("total", v, Double::sum);
                if (line.contains("status=\"429\"")) {
                    m.merge("429", v, Double::sum);
                }
            } else if (line.startsWith("isoworker_rate_limit_share ")) {
                m.put("share", parse(line));
            } else if (line.startsWith("isoworker_rate_limit_paced_rate ")) {
                m.put("rate", parse(line));
            }
        }
        return m;
    }

    private static double parse(String line) {
        String v = line.substring(line.lastIndexOf(' ') + 1).toLowerCase(Locale.ROOT);
        return v.equals("nan") ? Double.NaN : Double.parseDouble(v);
    }
}
