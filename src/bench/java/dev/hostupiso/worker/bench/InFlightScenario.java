package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.bench.BenchStack.ClientRun;
import dev.hostupiso.worker.localstack.WorkerProcess;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.hostupiso.worker.bench.BenchEnv.env;
import static dev.hostupiso.worker.bench.BenchEnv.envDuration;
import static dev.hostupiso.worker.bench.BenchEnv.envInt;
import static dev.hostupiso.worker.bench.BenchEnv.say;
import static dev.hostupiso.worker.bench.Fmt.f0;
import static dev.hostupiso.worker.bench.Fmt.f1;
import static dev.hostupiso.worker.bench.Fmt.pct;
import static dev.hostupiso.worker.bench.Stats.histogram;
import static dev.hostupiso.worker.bench.Sampler.threadSummary;

/** Scenario 2: 10,000 jobs in flight on one instance, then a soak: memory, threads, CPU per call. */
final class InFlightScenario extends Scenario {

    InFlightScenario(BenchStack stack) {
        super(stack);
    }

    @Override
    void run() throws Exception {
        int jobs = envInt("BENCH_INFLIGHT_JOBS", 10000);
        Duration soak = envDuration("BENCH_SOAK", "5m");
        Duration settle = envDuration("BENCH_SOAK_SETTLE", "60s");
        say("2. in flight: " + jobs + " jobs that stay in progress; settle " + settle + ", soak " + soak);
        sim.reset();
        sim.vps("vps_i_", jobs, Duration.ofHours(6).toMillis(), Duration.ofHours(6).toMillis());
        ensureTopics("inflight");
        Path csv = out.resolve("inflight-soak.csv");
        Path gcLog = work.resolve("inflight-gc.log");
        List<String> lines = new ArrayList<>();
        lines.add("t_s,phase,in_flight,heap_used_mib,heap_committed_mib,rss_mib,threads,gc_pauses,gc_pause_s,worker_cpu_s,api_calls");
        List<double[]> heap = new ArrayList<>();
        List<double[]> rss = new ArrayList<>();
        List<double[]> threads = new ArrayList<>();
        List<double[]> callRate = new ArrayList<>();
        List<double[]> cpuPct = new ArrayList<>();
        double peakThreads = 0;
        double peakHeap = 0;
        List<String> topClasses = List.of();
        String threadNames = "";
        double live0;
        double live1;
        double rss0;
        double rss1;
        double cpuPerCall;
        double callsPerSec;
        double gcShare;
        long outcomes;
        double soakStartS;
        double soakEndS;
        String xmx = env("BENCH_INFLIGHT_XMX", "1g");
        String died = null;
        live0 = live1 = rss0 = rss1 = cpuPerCall = callsPerSec = gcShare = soakStartS = soakEndS = Double.NaN;
        outcomes = 0;
        try (WorkerProcess w = startWorker("inflight", Map.of("ISO_MAX_IN_FLIGHT", Integer.toString(jobs)),
                List.of("-Xmx" + xmx, "-Xlog:gc*:file=" + gcLog + ":uptime,level,tags"));
             Kafka.Watcher events = new Kafka.Watcher(bootstrap, "bench-inflight-events");
             KafkaProducer<String, String> p = Kafka.producer(bootstrap)) {
            long t0 = System.nanoTime();
            produce(p, "bench-inflight-requests", "infl", "vps_i_", 0, jobs, 0);
            Sampler s = new Sampler(w, t0, sim);
            try {
            // ramp
            long rampEnd = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            double[] last = s.sample();
            while (last[Sampler.IN_FLIGHT] < jobs && System.nanoTime() < rampEnd) {
                lines.add(s.csv(last, "ramp"));
                addPoints(last, heap, rss, threads, callRate, cpuPct, s);
                Thread.sleep(2000);
                last = s.sample();
            }
            say("   " + (long) last[Sampler.IN_FLIGHT] + " in flight after " + f1(last[Sampler.T]) + " s");
            long settleEnd = System.nanoTime() + settle.toNanos();
            while (System.nanoTime() < settleEnd) {
                lines.add(s.csv(last, "settle"));
                addPoints(last, heap, rss, threads, callRate, cpuPct, s);
                Thread.sleep(5000);
                last = s.sample();
            }
            Child.jcmd(w.pid(), "GC.run");
            Files.writeString(work.resolve("inflight-histogram-start.txt"),
                    Child.jcmd(w.pid(), "GC.class_histogram", "-all").orElse(""));
            double[] start = s.sample();
            live0 = start[Sampler.HEAP];
            rss0 = start[Sampler.RSS];
            soakStartS = start[Sampler.T];
            lines.add(s.csv(start, "soak-start (after full GC)"));
            say("   soak start: live heap " + f1(live0) + " MiB, RSS " + f1(rss0) + " MiB, threads " + (long) start[Sampler.THREADS]);
            long soakEnd = System.nanoTime() + soak.toNanos();
            last = start;
            while (System.nanoTime() < soakEnd) {
                Thread.sleep(Math.min(5000, Math.max(1, (soakEnd - System.nanoTime()) / 1_000_000)));
                last = s.sample();
                lines.add(s.csv(last, "soak"));
                addPoints(last, heap, rss, threads, callRate, cpuPct, s);
                peakThreads = Math.max(peakThreads, last[Sampler.THREADS]);
                peakHeap = Math.max(peakHeap, last[Sampler.HEAP]);
            }
            double[] end = last;
            Child.jcmd(w.pid(), "GC.run");
            String histogram = Child.jcmd(w.pid(), "GC.class_histogram", "-all").orElse("");
            Files.writeString(work.resolve("inflight-histogram-end.txt"), histogram);
            topClasses = histogram.lines().skip(3).limit(8).map(String::strip).toList();
            threadNames = threadSummary(Child.jcmd(w.pid(), "Thread.print").orElse(""));
            double[] after = s.sample();
            live1 = after[Sampler.HEAP];
            rss1 = after[Sampler.RSS];
            soakEndS = end[Sampler.T];
            lines.add(s.csv(after, "soak-end (after full GC)"));
            double secs = end[Sampler.T] - start[Sampler.T];
            double calls = end[Sampler.CALLS] - start[Sampler.CALLS];
            cpuPerCall = (end[Sampler.CPU] - start[Sampler.CPU]) * 1e6 / calls;
            callsPerSec = calls / secs;
            gcShare = (end[Sampler.GC_S] - start[Sampler.GC_S]) / secs;
            peakThreads = Math.max(peakThreads, after[Sampler.THREADS]);
            outcomes = events.count.get();
            } catch (Exception e) {
                String log = Files.readString(w.log());
                died = log.contains("OutOfMemoryError") ? "the worker ran out of heap (OutOfMemoryError, -Xmx" + xmx + ")"
                        : "the worker stopped answering: " + e;
                say("   " + died);
            }
            if (died != null) {
                lines.add("# " + died);
            }
            say("   soak: " + f0(callsPerSec) + " calls/s, " + f1(cpuPerCall) + " µs CPU per call, live heap "
                    + f1(live0) + " → " + f1(live1) + " MiB, RSS " + f1(rss0) + " → " + f1(rss1) + " MiB, threads ≤ "
                    + (long) peakThreads);
        }
        Files.write(csv, lines);
        for (double[] h : heap) {
            peakHeap = Math.max(peakHeap, h[1]);
        }
        for (double[] t : threads) {
            peakThreads = Math.max(peakThreads, t[1]);
        }
        // reference: what one HTTP call costs a minimal client (and the simulator) on this machine, right now, at the
        // worker's own call rate during the soak (about 20 s of calls)
        sim.reset();
        int refRate = Double.isNaN(callsPerSec) ? 300 : (int) Math.max(50, Math.round(callsPerSec));
        ClientRun ref = minimalClient("vps_ref_", 5000, refRate * 30 / MinimalClient.CALLS_PER_JOB, refRate);
        double growth = live1 - live0;
        boolean noGrowth = growth <= Math.max(8, 0.10 * live0) && rss1 - rss0 <= Math.max(16, 0.10 * rss0);
        if (died != null) {
            results.row("2. 10,000 in flight: heap", "out of heap at " + f0(peakHeap) + " MiB used",
                    "target 256 MiB (worker run with -Xmx" + xmx + ")", peakHeap / 256, "≤ 1.00", false);
        } else {
            results.row("2. 10,000 in flight: heap (live set after full GC, end of soak)", f1(live1) + " MiB",
                    "target 256 MiB (worker run with -Xmx" + xmx + "; peak used " + f0(peakHeap) + " MiB)", live1 / 256,
                    "≤ 1.00", live1 <= 256);
        }
        results.row("2. 10,000 in flight: peak live threads", Long.toString((long) peakThreads), "target 64",
                peakThreads / 64, "≤ 1.00", peakThreads <= 64);
        results.row("2. 10,000 in flight: CPU per API call", f1(cpuPerCall) + " µs",
                "target 150 µs (minimal client: " + f0(ref.clientCpuMicrosPerCall()) + " µs, simulator: "
                        + f0(ref.serverCpuMicrosPerCall()) + " µs per call)", cpuPerCall / 150, "≤ 1.00", cpuPerCall <= 150);
        results.row("2. 10,000 in flight: growth over the soak", "live heap " + f1(live0) + " → " + f1(live1)
                        + " MiB, RSS " + f0(rss0) + " → " + f0(rss1) + " MiB", "its own start", (live1 + 1e-9) / (live0 + 1e-9),
                "≤ +10 %", noGrowth);
        results.section("2. 10,000 jobs in flight on one instance", String.join("\n",
                "- " + jobs + " requests whose jobs stay `in_progress` for 6 h; `ISO_MAX_IN_FLIGHT=" + jobs + "`, default polling "
                        + "(`ISO_POLL_INITIAL_DELAY=2s`, cap `ISO_POLL_MAX_DELAY=60s`), the pod's JVM options plus `-Xmx" + xmx
                        + "` (`BENCH_INFLIGHT_XMX`; with `256m` the target itself is the hard cap). The heap target is checked "
                        + "on the live set, after a full GC.",
                "- Ramp until all are in flight, settle " + settle.toSeconds() + " s (backoff climbs towards the cap), then soak "
                        + soak.toSeconds() + " s (" + f0(soakStartS) + " s → " + f0(soakEndS) + " s). A full GC (`jcmd GC.run`) "
                        + "before and after the soak gives the live set.",
                "- During the soak: " + f0(callsPerSec) + " API calls/s (all polls), worker CPU " + f1(cpuPerCall)
                        + " µs per call (utime+stime from /proc ÷ calls counted by the simulator), GC pauses " + pct(gcShare)
                        + " of wall time, peak heap used " + f1(peakHeap) + " MiB (-Xmx" + xmx + "), peak threads " + (long) peakThreads + ".",
                "- Reference, same run: the minimal asynchronous client (`MinimalClient`, own JVM, the worker's HTTP stack "
                        + "and nothing else), paced at the worker's soak rate for 30 s after 5,000 unpaced warm-up jobs (" + refRate + " calls/s; reached "
                        + f0(ref.callsPerSecond()) + "), spends " + f0(ref.clientCpuMicrosPerCall())
                        + " µs of CPU per call and the simulator " + f0(ref.serverCpuMicrosPerCall()) + " µs.",
                "- Outcomes published during the soak: " + outcomes + " (expected 0: no job finishes).",
                threadNames.isEmpty() ? "" : "- Threads at the end of the soak (by name, digits folded): " + threadNames + ".",
                died != null ? "- **The run ended early: " + died + ".** See `bench/inflight-soak.csv` and "
                        + "`target/bench/inflight-gc.log`." : "- Largest classes in the live heap at the end of the soak "
                        + "(`jcmd GC.class_histogram`, #instances #bytes class):\n\n```\n" + String.join("\n", topClasses)
                        + "\n```",
                "- Samples every 5 s: `bench/inflight-soak.csv`; GC log: `target/bench/inflight-gc.log`. Plot: `bench/inflight.png`."));
        Plot.write(out.resolve("inflight.png"), "2. " + jobs + " jobs in flight — soak",
                List.of(new Plot.Panel("Memory", "seconds since the requests were produced", "MiB")
                                .add(Plot.Series.line("heap used", heap)).add(Plot.Series.line("RSS", rss))
                                .ref("heap target", 256).vref("soak start", soakStartS).vref("soak end", soakEndS),
                        new Plot.Panel("Live threads", "seconds since the requests were produced", "threads")
                                .add(Plot.Series.line("live threads", threads)).ref("target", 64),
                        new Plot.Panel("API calls and CPU", "seconds since the requests were produced", "calls/s, CPU %")
                                .add(Plot.Series.line("API calls / s", callRate))
                                .add(Plot.Series.line("worker CPU % of one core", cpuPct))));
    }

    private static void addPoints(double[] s, List<double[]> heap, List<double[]> rss, List<double[]> threads,
                                  List<double[]> callRate, List<double[]> cpuPct, Sampler sampler) {
        heap.add(new double[] {s[Sampler.T], s[Sampler.HEAP]});
        rss.add(new double[] {s[Sampler.T], s[Sampler.RSS]});
        threads.add(new double[] {s[Sampler.T], s[Sampler.THREADS]});
        if (sampler.prev != null && s[Sampler.T] > sampler.prev[Sampler.T]) {
            double dt = s[Sampler.T] - sampler.prev[Sampler.T];
            callRate.add(new double[] {s[Sampler.T], (s[Sampler.CALLS] - sampler.prev[Sampler.CALLS]) / dt});
            cpuPct.add(new double[] {s[Sampler.T], (s[Sampler.CPU] - sampler.prev[Sampler.CPU]) / dt * 100});
        }
        sampler.prev = s;
    }
}
