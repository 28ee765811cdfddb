package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.localstack.WorkerProcess;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.hostupiso.worker.bench.BenchEnv.envDuration;
import static dev.hostupiso.worker.bench.BenchEnv.envInt;
import static dev.hostupiso.worker.bench.BenchEnv.say;
import static dev.hostupiso.worker.bench.Fmt.f0;
import static dev.hostupiso.worker.bench.Fmt.f1;
import static dev.hostupiso.worker.bench.Fmt.f2;
import static dev.hostupiso.worker.bench.Fmt.pct;
import static dev.hostupiso.worker.bench.Stats.histogram;

/** Scenario 3: goodput under HostUp's rate limit, against the window's own ceiling. */
final class RateLimitScenario extends Scenario {

    RateLimitScenario(BenchStack stack) {
        super(stack);
    }

    @Override
    void run() throws Exception {
        int requests = envInt("BENCH_RL_REQUESTS", 2000);
        int limit = envInt("BENCH_RL_LIMIT", 600);
        Duration window = envDuration("BENCH_RL_WINDOW", "10s");
        say("3. rate-limit goodput: " + requests + " queued requests, " + limit + " calls per " + window.toMillis() + " ms");
        sim.reset();
        sim.vps("vps_r_", requests, 0, 0);
        ensureTopics("ratelimit");
        say("   topics created");
        try (KafkaProducer<String, String> p = Kafka.producer(bootstrap)) {
            produce(p, "bench-ratelimit-requests", "rl", "vps_r_", 0, requests, 0);
        }
        say("   " + requests + " requests queued");
        sim.rateLimit(limit, window.toMillis());
        List<SimControl.Call> calls;
        long[] outcomes;
        try (WorkerProcess w = startWorker("ratelimit", Map.of("ISO_POLL_INITIAL_DELAY", "500ms", "ISO_POLL_MAX_DELAY", "5s"),
                List.of());
             Kafka.Watcher events = new Kafka.Watcher(bootstrap, "bench-ratelimit-events")) {
            long expectSecs = (long) (3.0 * requests / limit * window.toSeconds());
            if (!events.await(requests, Duration.ofSeconds(120 + 2 * expectSecs))) {
                say("   WARNING: only " + events.arrivals.size() + " of " + requests + " outcomes");
            }
            calls = sim.calls();
            outcomes = events.sortedNanos();
        }
        sim.rateLimit(0, 0);
        List<String> dump = new ArrayList<>();
        dump.add("at_micros,endpoint,vps,job,status");
        calls.forEach(c -> dump.add(c.atMicros() + "," + c.endpoint() + "," + c.vpsId() + "," + c.jobId() + "," + c.status()));
        Files.write(work.resolve("ratelimit-calls.csv"), dump);
        long first = calls.get(0).atMicros();
        long lastAt = calls.get(calls.size() - 1).atMicros();
        long windowMicros = window.toMillis() * 1000;
        long m = (lastAt - first) / windowMicros;
        long cutoff = first + Math.max(1, m) * windowMicros;
        long used = calls.stream().filter(c -> c.status() != 429 && c.atMicros() < cutoff).count();
        double allowed = m >= 1 ? m * (double) limit : limit * (lastAt - first) / (double) windowMicros;
        long rejected = calls.stream().filter(c -> c.status() == 429).count();
        double usedFraction = used / allowed;
        double rejectedFraction = rejected / (double) calls.size();
        say("   used " + used + " of " + f0(allowed) + " allowed calls (" + pct(usedFraction) + "), 429: " + rejected
                + " of " + calls.size() + " (" + pct(rejectedFraction) + ")");
        results.row("3. Rate limit: allowed calls used", used + " calls in " + m + " full windows",
                f0(allowed) + " allowed (" + limit + " per " + window.toSeconds() + " s window)", usedFraction, "≥ 0.95",
                usedFraction >= 0.95);
        results.row("3. Rate limit: calls answered 429", rejected + " of " + calls.size(), "all calls", rejectedFraction,
                "≤ 0.01", rejectedFraction <= 0.01);
        // Burst: the most calls (answered or refused) the simulator saw in any 1 s, against the window's average.
        long[] allMicros = calls.stream().filter(c -> c.atMicros() < cutoff).mapToLong(SimControl.Call::atMicros).sorted().toArray();
        int peak = Stats.peak(allMicros, 1_000_000);
        double average = limit / (window.toMillis() / 1000.0);
        double burst = peak / average;
        say("   burst: peak " + peak + " calls in 1 s vs an allowed average of " + f1(average) + "/s (" + f2(burst) + "×)");
        results.row("3. Rate limit: burst (peak 1 s ÷ allowed average)", peak + " calls in the busiest 1 s",
                f1(average) + " calls/s allowed on average", burst, "≤ 2", burst <= 2);
        // What users meet in production: jobs per second one key lets through, here (3 calls per job) and for a job that
        // costs c calls: (limit / window) / c.
        double jobsPerSecond = Stats.sustainedRate(outcomes);
        double keyJobs = average / 3;
        say("   jobs per second through one key: " + f1(jobsPerSecond) + " (allowed average " + f1(average) + " calls/s ÷ 3 = "
                + f1(keyJobs) + ")");
        results.row("3. Rate limit: jobs per second through one key (3 calls per job)", f1(jobsPerSecond) + " jobs/s",
                f1(average) + " calls/s ÷ 3 calls per job = " + f1(keyJobs) + " jobs/s", jobsPerSecond / keyJobs, "≥ 0.95",
                jobsPerSecond / keyJobs >= 0.95);
        results.section("3. Rate-limit goodput", String.join("\n",
                "- " + requests + " requests queued before the worker starts; jobs complete at once (3 calls each). The simulator "
                        + "allows " + limit + " calls per " + window.toSeconds() + " s fixed window per key (the window opens at "
                        + "the key's first call after the previous one ended; `X-RateLimit-Reset` is an ISO timestamp rounded "
                        + "up to the second; 429 with `Retry-After` seconds).",
                "- Used fraction: successful calls made within the first " + m + " whole windows of wall time after the "
                        + "first call, divided by " + m + " × " + limit + " (the tail, where work runs out, is excluded).",
                "- " + calls.size() + " calls in total over " + f1((lastAt - first) / 1e6) + " s; " + rejected + " answered 429.",
                "- Jobs per second through one key: the middle 80 % of outcome arrivals, " + f1(jobsPerSecond) + " jobs/s, "
                        + "against the key's average ÷ 3 calls per job = " + f1(keyJobs) + " jobs/s. This is the figure a key "
                        + "limited to " + limit + " calls per " + window.toSeconds() + " s gives in production, where a download costs "
                        + "more calls (scenario 6: from-url, the polls, the ISO-list read): jobs/s = allowed calls/s ÷ calls per job.",
                "- Burst: the most calls (2xx and 429) in any 1 s (sliding, not aligned to seconds) within those windows, "
                        + "divided by the allowed average (" + limit + " / " + window.toSeconds() + " s).",
                "- Plot: `bench/ratelimit.png`."));
        long[] okOffsets = calls.stream().filter(c -> c.status() != 429).mapToLong(c -> (c.atMicros() - first) * 1000).toArray();
        long[] rejOffsets = calls.stream().filter(c -> c.status() == 429).mapToLong(c -> (c.atMicros() - first) * 1000).toArray();
        Plot.Panel perSec = new Plot.Panel("Calls per second seen by the simulator", "seconds since the first call", "calls / s")
                .add(Plot.Series.line("answered (2xx)", histogram(okOffsets, 1e9)))
                .add(Plot.Series.line("answered 429", histogram(rejOffsets, 1e9)))
                .ref("allowed average", limit / (double) window.toSeconds());
        List<double[]> cumOk = new ArrayList<>();
        List<double[]> cumAllowed = new ArrayList<>();
        for (int i = 0; i < okOffsets.length; i += Math.max(1, okOffsets.length / 400)) {
            cumOk.add(new double[] {okOffsets[i] / 1e9, i + 1});
        }
        for (long k = 0; k <= m + 1; k++) {
            cumAllowed.add(new double[] {k * window.toSeconds(), k * (double) limit});
        }
        Plot.Panel cum = new Plot.Panel("Cumulative successful calls vs. the budget", "seconds since the first call", "calls")
                .add(Plot.Series.line("successful calls", cumOk)).add(Plot.Series.line("budget (limit × windows)", cumAllowed));
        Plot.write(out.resolve("ratelimit.png"), "3. Rate-limit goodput — " + requests + " requests, " + limit + " calls / "
                + window.toSeconds() + " s", List.of(perSec, cum));
    }
}
