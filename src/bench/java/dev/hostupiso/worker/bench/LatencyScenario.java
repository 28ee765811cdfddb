package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.localstack.WorkerProcess;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.hostupiso.worker.bench.BenchEnv.env;
import static dev.hostupiso.worker.bench.BenchEnv.envInt;
import static dev.hostupiso.worker.bench.BenchEnv.say;
import static dev.hostupiso.worker.bench.Fmt.f0;
import static dev.hostupiso.worker.bench.Stats.cdf;
import static dev.hostupiso.worker.bench.Stats.percentile;

/** Scenario 4: latency from request to outcome over the job's own duration. */
final class LatencyScenario extends Scenario {

    LatencyScenario(BenchStack stack) {
        super(stack);
    }

    @Override
    void run() throws Exception {
        int jobs = envInt("BENCH_LAT_JOBS", 400);
        double perSecond = Double.parseDouble(env("BENCH_LAT_RATE", "40"));
        long minMs = 2000;
        long maxMs = 10000;
        String initial = env("BENCH_LAT_POLL_INITIAL", "500ms");
        String cap = env("BENCH_LAT_POLL_MAX", "2s");
        say("4. completion latency: " + jobs + " jobs of " + minMs + "–" + maxMs + " ms, polls " + initial + " → " + cap);
        sim.reset();
        sim.vps("vps_l_", jobs, minMs, maxMs);
        ensureTopics("latency");
        Map<String, long[]> arrivals;
        try (WorkerProcess w = startWorker("latency", Map.of("ISO_POLL_INITIAL_DELAY", initial, "ISO_POLL_MAX_DELAY", cap),
                List.of());
             Kafka.Watcher events = new Kafka.Watcher(bootstrap, "bench-latency-events");
             KafkaProducer<String, String> p = Kafka.producer(bootstrap)) {
            produce(p, "bench-latency-requests", "lat", "vps_l_", 0, jobs, perSecond);
            if (!events.await(jobs, Duration.ofSeconds(120 + (long) (jobs / perSecond)))) {
                say("   WARNING: only " + events.arrivals.size() + " of " + jobs + " outcomes");
            }
            arrivals = new HashMap<>(events.arrivals);
        }
        List<SimControl.Job> simJobs = sim.jobs();
        Map<String, List<Long>> polls = new HashMap<>();
        for (SimControl.Call c : sim.calls()) {
            if (c.endpoint().equals("JOB")) {
                polls.computeIfAbsent(c.jobId(), k -> new ArrayList<>()).add(c.atMicros());
            }
        }
        List<Double> latency = new ArrayList<>();
        List<Double> interval = new ArrayList<>();
        List<Double> overhead = new ArrayList<>();
        int within = 0;
        for (SimControl.Job j : simJobs) {
            String requestId = "lat-" + j.vpsId().substring("vps_l_".length());
            long[] a = arrivals.get(requestId);
            List<Long> ps = polls.get(j.jobId());
            if (a == null || ps == null) {
                continue;
            }
            ps.sort(null);
            long completing = -1;
            long previous = j.createdMicros();
            for (long t : ps) {
                if (t >= j.finishMicros()) {
                    completing = t;
                    break;
                }
                previous = t;
            }
            if (completing < 0) {
                continue;
            }
            double lat = (a[1] - j.finishMicros()) / 1000.0;
            double iv = (completing - previous) / 1000.0;
            latency.add(lat);
            interval.add(iv);
            overhead.add((a[1] - completing) / 1000.0);
            if (lat <= iv + 250) {
                within++;
            }
        }
        double p50 = percentile(latency, 50);
        double p99 = percentile(latency, 99);
        double iv99 = percentile(interval, 99);
        double ov50 = percentile(overhead, 50);
        double ov99 = percentile(overhead, 99);
        double limit = iv99 + 250;
        say("   latency p50 " + f0(p50) + " ms, p99 " + f0(p99) + " ms; poll interval p99 " + f0(iv99)
                + " ms; completing poll → outcome p50 " + f0(ov50) + " / p99 " + f0(ov99) + " ms");
        results.row("4. Completion latency p99 (p50 " + f0(p50) + " ms)", f0(p99) + " ms",
                "poll interval in effect p99 " + f0(iv99) + " ms + 250 ms = " + f0(limit) + " ms", p99 / limit, "≤ 1.00",
                p99 <= limit);
        results.section("4. Completion latency", String.join("\n",
                "- " + latency.size() + " jobs (of " + jobs + ", produced at " + f0(perSecond) + "/s) lasting " + minMs / 1000 + "–"
                        + maxMs / 1000 + " s; worker polls from `ISO_POLL_INITIAL_DELAY=" + initial + "` backing off to `ISO_POLL_MAX_DELAY="
                        + cap + "`.",
                "- Latency: from the instant the simulator's job becomes `completed` (`JobTimes.finishAt`) to the outcome event "
                        + "arriving at an independent consumer; all processes share this machine's clock.",
                "- Poll interval in effect, per job: the poll that first saw `completed` minus the poll before it (or from-url); "
                        + "p50 " + f0(percentile(interval, 50)) + " ms, p99 " + f0(iv99) + " ms.",
                "- The worker's own share, completing poll → outcome consumed (ISO list read, event published and acknowledged, "
                        + "consumer fetch): p50 " + f0(ov50) + " ms, p99 " + f0(ov99) + " ms.",
                "- Jobs whose own latency ≤ their own interval + 250 ms: " + within + " of " + latency.size() + ".",
                "- Plot: `bench/latency.png`."));
        Plot.write(out.resolve("latency.png"), "4. Completion latency — " + latency.size() + " jobs, polls " + initial + " → " + cap,
                List.of(new Plot.Panel("Distribution (CDF)", "milliseconds", "percent of jobs")
                        .add(Plot.Series.line("completed → outcome (latency)", cdf(latency)))
                        .add(Plot.Series.line("poll interval in effect", cdf(interval)))
                        .add(Plot.Series.line("completing poll → outcome", cdf(overhead)))
                        .vref("limit (interval p99 + 250)", limit).vref("latency p99", p99)));
    }
}
