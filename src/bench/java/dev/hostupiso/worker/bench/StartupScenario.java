package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.bench.BenchStack.WorkerRuntime;
import dev.hostupiso.worker.localstack.WorkerProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.hostupiso.worker.bench.BenchEnv.envDuration;
import static dev.hostupiso.worker.bench.BenchEnv.envInt;
import static dev.hostupiso.worker.bench.BenchEnv.say;
import static dev.hostupiso.worker.bench.Fmt.f0;
import static dev.hostupiso.worker.bench.Fmt.f1;
import static dev.hostupiso.worker.bench.Fmt.fmtList;
import static dev.hostupiso.worker.bench.Stats.percentile;
import static dev.hostupiso.worker.bench.Sampler.metric;

/** Scenario 5: start-up to readiness and idle footprint, against an empty JVM with the same options. */
final class StartupScenario extends Scenario {

    StartupScenario(BenchStack stack) {
        super(stack);
    }

    @Override
    void run() throws Exception {
        int starts = envInt("BENCH_STARTS", 3);
        Duration idle = envDuration("BENCH_IDLE", "10s");
        say("5. start-up and footprint: " + starts + " starts, idle " + idle.toSeconds() + " s");
        // floor: a JVM that does nothing, same options
        List<Double> floorMs = new ArrayList<>();
        double floorRss = 0;
        for (int i = 0; i < starts; i++) {
            long t0 = System.nanoTime();
            try (Child c = Child.java("dev.hostupiso.worker.bench.Idle", POD_JVM, List.of(), work.resolve("idle.log"),
                    build.resolve("test-classes").toString())) {
                c.awaitLine(Pattern.compile("(ready)"), Duration.ofSeconds(30));
                floorMs.add((System.nanoTime() - t0) / 1e6);
                if (i == starts - 1) {
                    Thread.sleep(idle.toMillis());
                    floorRss = Child.statusKiB(c.pid(), "VmRSS") / 1024.0;
                }
            }
        }
        ensureTopics("startup");
        List<Double> ms = new ArrayList<>();
        double rss = 0;
        double heapUsed = 0;
        for (int i = 0; i < starts; i++) {
            int before = startups.size();
            try (WorkerProcess w = startWorker("startup", Map.of(), List.of())) {
                ms.add(startups.get(before)[0]);
                if (i == starts - 1) {
                    Thread.sleep(idle.toMillis());
                    rss = Child.statusKiB(w.pid(), "VmRSS") / 1024.0;
                    heapUsed = metric(w.get("/q/metrics"), "jvm_memory_used_bytes", "area=\"heap\"") / 1048576.0;
                }
            }
        }
        // Reference: the same jar on this JVM's JDK without a cache (what the image ran before the AOT cache).
        List<Double> plainMs = new ArrayList<>();
        if (runtime != WorkerRuntime.BUILD_JDK) {
            for (int i = 0; i < starts; i++) {
                int before = startups.size();
                try (WorkerProcess w = startWorker(WorkerRuntime.BUILD_JDK, "startup", Map.of(), List.of())) {
                    plainMs.add(startups.remove(before)[0]);
                }
            }
        }
        double med = percentile(ms, 50);
        double worst = percentile(ms, 100);
        double floorMed = percentile(floorMs, 50);
        List<Double> all = new ArrayList<>();
        startups.forEach(s -> all.add(s[0]));
        say("   start-up median " + f0(med) + " ms (max " + f0(worst) + "), JVM floor " + f0(floorMed) + " ms; idle RSS "
                + f0(rss) + " MiB (JVM floor " + f0(floorRss) + " MiB)"
                + (plainMs.isEmpty() ? "" : "; without the AOT cache on the build's JDK: median " + f0(percentile(plainMs, 50)) + " ms"));
        results.row("5. Start-up to readiness UP (median of " + starts + ", max " + f0(worst) + " ms)", f0(med) + " ms",
                "target 2000 ms (empty JVM, same options: " + f0(floorMed) + " ms)", med / 2000, "≤ 1.00", med <= 2000);
        results.row("5. Idle RSS", f0(rss) + " MiB", "target 200 MiB (empty JVM, same options: " + f0(floorRss) + " MiB)",
                rss / 200, "≤ 1.00", rss <= 200);
        List<String> body = new ArrayList<>(List.of(
                "- The packaged worker (`target/quarkus-app/quarkus-run.jar`) as the container image runs it: " + runtime.description()
                        + ", with the Helm chart's default JVM options for its 512 MiB pod (`" + String.join(" ", POD_JVM)
                        + "`), against the running broker and simulator.",
                "- Start-up: from just before the process is spawned to `/q/health/ready` answering 200 (polled every 50 ms; "
                        + "readiness includes the Kafka connection). Samples: " + fmtList(ms) + " ms. Every worker start of this "
                        + "run (other scenarios included): " + fmtList(all) + " ms."));
        if (!plainMs.isEmpty()) {
            body.add("- Without the AOT cache, the same jar on the build's JDK (`" + System.getProperty("java.runtime.version")
                    + "`), same options: " + fmtList(plainMs) + " ms (median " + f0(percentile(plainMs, 50)) + " ms).");
        }
        body.add("- Idle RSS: `VmRSS` from `/proc/<pid>/status` after " + idle.toSeconds() + " s idle; heap used then " + f1(heapUsed)
                + " MiB.");
        body.add("- Reference, same run: an empty JVM (`Idle`, same options) starts in " + f0(floorMed) + " ms and idles at "
                + f0(floorRss) + " MiB RSS.");
        body.add("- Plot: `bench/startup.png`.");
        results.section("5. Start-up and footprint", String.join("\n", body));
        List<String> labels = new ArrayList<>(List.of("worker median", "worker max"));
        List<Double> values = new ArrayList<>(List.of(med, worst));
        if (!plainMs.isEmpty()) {
            labels.add("no AOT cache");
            values.add(percentile(plainMs, 50));
        }
        labels.add("empty JVM");
        values.add(floorMed);
        Plot.write(out.resolve("startup.png"), "5. Start-up and footprint",
                List.of(Plot.Panel.bars("Start-up to readiness (ms)", "ms", labels.toArray(String[]::new),
                                values.stream().mapToDouble(Double::doubleValue).toArray()).ref("target", 2000),
                        Plot.Panel.bars("Idle RSS (MiB)", "MiB", new String[] {"worker", "empty JVM"},
                                new double[] {rss, floorRss}).ref("target", 200)));
    }
}
