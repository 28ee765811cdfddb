package dev.hostupiso.worker.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static dev.hostupiso.worker.bench.BenchEnv.env;
import static dev.hostupiso.worker.bench.BenchEnv.say;

/**
 * The benchmarks (README, "Benchmarks"): starts a Kafka broker, the HostUp simulator and the packaged worker as separate
 * processes ({@link BenchStack}), runs the scenarios chosen by {@code BENCH_SCENARIOS} in order, and writes
 * {@code bench/results.md} ({@link ResultsWriter}) plus one PNG per scenario. Every figure is set against a limit
 * measured in the same run. Knobs are environment variables (see {@code bench/run}).
 *
 * <p>Arguments: {@code <project dir> <build dir>}.
 */
public final class BenchMain {

    /** The scenarios by their {@code BENCH_SCENARIOS} name, in the order they run. */
    private static final Map<String, Function<BenchStack, Scenario>> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put("throughput", ThroughputScenario::new);
        SCENARIOS.put("inflight", InFlightScenario::new);
        SCENARIOS.put("ratelimit", RateLimitScenario::new);
        SCENARIOS.put("latency", LatencyScenario::new);
        SCENARIOS.put("startup", StartupScenario::new);
        SCENARIOS.put("calls", CallsPerJobScenario::new);
        SCENARIOS.put("sharedkey", SharedKeyScenario::new);
        SCENARIOS.put("matrix", RateMatrixScenario::new);
    }

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Path project = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath();
        Path build = Path.of(args.length > 1 ? args[1] : "target").toAbsolutePath();
        run(build, Files.createDirectories(project.resolve("bench")), Files.createDirectories(build.resolve("bench")));
        System.exit(0);
    }

    private static void run(Path build, Path out, Path work) throws Exception {
        Set<String> chosen = Set.of(env("BENCH_SCENARIOS", String.join(",", SCENARIOS.keySet())).split("\\s*,\\s*"));
        ResultsWriter results = new ResultsWriter();
        results.machine(ResultsWriter.loadavg());
        long t0 = System.nanoTime();
        say("starting the Kafka broker (own JVM) and the HostUp simulator (own JVM); work dir " + work);
        String runtime;
        try (BenchStack stack = BenchStack.start(build, out, work, results)) {
            say("broker " + stack.bootstrap + " (pid " + stack.brokerPid + "), simulator " + stack.api + " (pid "
                    + stack.simPid + ")");
            stack.prepareRuntime();
            for (Map.Entry<String, Function<BenchStack, Scenario>> s : SCENARIOS.entrySet()) {
                if (chosen.contains(s.getKey())) {
                    s.getValue().apply(stack).run();
                }
            }
            runtime = stack.runtime.description();
        }
        results.finish(ResultsWriter.loadavg(), Duration.ofNanos(System.nanoTime() - t0));
        // A run of some scenarios only never overwrites the full run's file: it writes its own next to it.
        boolean all = chosen.containsAll(SCENARIOS.keySet());
        Path resultsFile = out.resolve(all ? "results.md" : "results-" + String.join("-", SCENARIOS.keySet().stream()
                .filter(chosen::contains).toList()) + ".md");
        String analysis = HandWrittenAnalysis.keptFor(resultsFile, ResultsWriter.commit());
        Files.writeString(resultsFile, results.markdown(analysis, runtime));
        say("wrote " + resultsFile);
    }
}
