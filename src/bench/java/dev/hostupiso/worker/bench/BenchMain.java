package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.aot.AotJdk;
import dev.hostupiso.worker.aot.AotTrainingMain;
import dev.hostupiso.worker.localstack.WorkerProcess;
import dev.hostupiso.worker.simulator.SimulatorControl;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The benchmarks (README, "Benchmarks"): starts a Kafka broker, the HostUp simulator and the packaged worker as separate
 * processes, drives load, and writes {@code bench/results.md} plus one PNG per scenario. Every figure is set against
 * a limit measured in the same run. Knobs are environment variables (see {@code bench/run}).
 *
 * <p>Arguments: {@code <project dir> <build dir>}.
 */
public final class BenchMain {

    static final String TOKEN = "bench-token-not-a-real-key";
    /** The Helm chart's default pod: 512 MiB limit, heap sized from it. */
    static final List<String> POD_JVM = List.of("-XX:MaxRAM=512m", "-XX:MaxRAMPercentage=75",
            "-XX:InitialRAMPercentage=50", "-XX:+ExitOnOutOfMemoryError",
            "-Djava.util.logging.manager=org.jboss.logmanager.LogManager");

    private final Path project;
    private final Path build;
    final Path out;
    private final Path work;
    final Results results;
    String bootstrap;
    private String api;
    SimControl sim;
    private long simPid;
    private long brokerPid;
    private int workerStarts;
    /** The JDK a worker runs on and the options that put it on an AOT cache, described for the results. */
    record WorkerRuntime(Path javaHome, List<String> options, String description) {
        static final WorkerRuntime BUILD_JDK = new WorkerRuntime(Path.of(System.getProperty("java.home")), List.of(),
                "the build's JDK, no AOT cache");
    }

    /** What the workers run on: the image's runtime when a JDK 25+ is here (see prepareRuntime). */
    private WorkerRuntime runtime = WorkerRuntime.BUILD_JDK;
    private final List<double[]> startups = new ArrayList<>(); // {ms} of every worker start in the run

    private BenchMain(Path project, Path build) throws IOException {
        this.project = project;
        this.build = build;
        this.out = Files.createDirectories(project.resolve("bench"));
        this.work = Files.createDirectories(build.resolve("bench"));
        this.results = new Results();
    }

    public static void main(String[] args) throws Exception {
        Path project = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath();
        Path build = Path.of(args.length > 1 ? args[1] : "target").toAbsolutePath();
        new BenchMain(project, build).run();
        System.exit(0);
    }

    // ------------------------------------------------------------------ knobs

    static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v.trim();
    }

    static int envInt(String name, int def) {
        return Integer.parseInt(env(name, Integer.toString(def)));
    }

    static Duration envDuration(String name, String def) {
        String v = env(name, def).toLowerCase(Locale.ROOT);
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        switch (v.charAt(v.length() - 1)) {
            case 's':
                return Duration.ofSeconds(n);
            case 'm':
                return Duration.ofMinutes(n);
            case 'h':
                return Duration.ofHours(n);
            default:
                return Duration.ofSeconds(Long.parseLong(v));
        }
    }

    static void say(String s) {
        System.out.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + s);
        System.out.flush();
    }

    // ------------------------------------------------------------------ run

    private void run() throws Exception {
        Set<String> scenarios = Set.of(env("BENCH_SCENARIOS", "throughput,inflight,ratelimit,latency,startup,calls")
                .split("\\s*,\\s*"));
        results.machine(loadavg());
        long t0 = System.nanoTime();
        say("starting the Kafka broker (own JVM) and the HostUp simulator (own JVM); work dir " + work);
        try (Child broker = Child.java("dev.hostupiso.worker.localstack.EmbeddedKafka",
                List.of("-Xmx1g", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager"),
                List.of(work.resolve("kafka").toString()), work.resolve("broker.log"));
             Child simulator = Child.java("dev.hostupiso.worker.simulator.SimulatorMain",
                     List.of("-Xmx1g", "-Dsun.net.httpserver.nodelay=true"),
                     List.of("--token=" + TOKEN, "--max-recorded-calls="
                             + System.getProperty("bench.sim.maxRecordedCalls", "400000")),
                     work.resolve("simulator.log"))) {
            bootstrap = broker.awaitLine(Pattern.compile("bootstrap\\.servers=(\\S+)"), Duration.ofSeconds(120));
            String line = simulator.awaitLine(Pattern.compile("(api=\\S+ control=\\S+)"), Duration.ofSeconds(60));
            api = line.replaceAll("api=(\\S+) .*", "$1");
            sim = new SimControl(line.replaceAll(".*control=(\\S+)", "$1"));
            simPid = simulator.pid();
            brokerPid = broker.pid();
            say("broker " + bootstrap + " (pid " + brokerPid + "), simulator " + api + " (pid " + simPid + ")");
            prepareRuntime();
            if (scenarios.contains("throughput")) {
                throughput();
            }
            if (scenarios.contains("inflight")) {
                inFlight();
            }
            if (scenarios.contains("ratelimit")) {
                rateLimit();
            }
            if (scenarios.contains("latency")) {
                latency();
            }
            if (scenarios.contains("startup")) {
                startup();
            }
            if (scenarios.contains("calls")) {
                new CallsPerJob(this).run();
            }
        }
        results.finish(loadavg(), Duration.ofNanos(System.nanoTime() - t0));
        Path resultsFile = out.resolve("results.md");
        String analysis = HandWrittenAnalysis.read(resultsFile);
        Files.writeString(resultsFile, results.markdown(analysis));
        say("wrote " + out.resolve("results.md"));
    }

    WorkerProcess startWorker(String scenario, Map<String, String> extraEnv, List<String> extraJvm)
            throws Exception {
        return startWorker(runtime, scenario, extraEnv, extraJvm);
    }

    private WorkerProcess startWorker(WorkerRuntime rt, String scenario, Map<String, String> extraEnv, List<String> extraJvm)
            throws Exception {
        int n = ++workerStarts;
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("KAFKA_GROUP_ID", "bench-" + scenario + "-" + n);
        env.put("HOSTUP_API_URL", api);
        env.put("HOSTUP_API_TOKEN", TOKEN);
        env.put("ISO_REQUESTS_TOPIC", "bench-" + scenario + "-requests");
        env.put("ISO_EVENTS_TOPIC", "bench-" + scenario + "-events");
        env.put("ISO_DLQ_TOPIC", "bench-" + scenario + "-dlq");
        env.put("ISO_LEDGER_TOPIC", "bench-" + scenario + "-jobs-" + n);
        env.putAll(extraEnv);
        List<String> jvm = new ArrayList<>(POD_JVM);
        jvm.addAll(rt.options());
        jvm.addAll(extraJvm);
        String jfr = env("BENCH_JFR", "");
        if (jfr.equals("all") || Arrays.asList(jfr.split(",")).contains(scenario)) {
            Path rec = work.resolve(scenario + "-" + n + ".jfr");
            jvm.add("-XX:StartFlightRecording=filename=" + rec + ",settings=profile,dumponexit=true");
            say("JFR recording to " + rec);
        }
        long t0 = System.nanoTime();
        WorkerProcess w = WorkerProcess.start(rt.javaHome(), jar(), env, jvm, work.resolve("worker-" + scenario + "-" + n + ".log"));
        w.awaitReady(Duration.ofSeconds(120));
        double ms = (System.nanoTime() - t0) / 1e6;
        startups.add(new double[] {ms});
        say("worker for " + scenario + " ready in " + Math.round(ms) + " ms (pid " + w.pid() + ")");
        return w;
    }

    private Path jar() {
        return WorkerProcess.packagedJar(build);
    }

    /**
     * Runs the workers as the container image does: on a JDK 25+ with an AOT cache recorded by
     * the same training run as the image's build stage ({@link AotTrainingMain}). Without such a
     * JDK (or with {@code BENCH_AOT=off}), on this JVM's JDK without a cache, and the results say so.
     */
    private void prepareRuntime() throws Exception {
        Optional<Path> jdk = env("BENCH_AOT", "on").equals("off") ? Optional.empty() : AotJdk.find();
        if (jdk.isEmpty()) {
            say("workers run on " + System.getProperty("java.home") + " without an AOT cache (no JDK 25+ found or BENCH_AOT=off)");
            return;
        }
        Path cache = work.resolve("app.aot");
        say("training the AOT cache on " + jdk.get() + " (the image's training run)...");
        Duration took = AotTrainingMain.train(jdk.get(), jar(), cache, POD_JVM, Files.createDirectories(work.resolve("aot-training")));
        runtime = new WorkerRuntime(jdk.get(), List.of("-XX:AOTCache=" + cache), "JDK " + AotJdk.feature(jdk.get()) + " (`"
                + jdk.get() + "`) with the AOT cache of the image's training run (" + Files.size(cache) / 1048576
                + " MiB, recorded in " + took.toSeconds() + " s)");
        say("   cache " + cache + " ready in " + took.toSeconds() + " s");
    }

    void ensureTopics(String scenario) throws Exception {
        Kafka.createTopics(bootstrap, 3, "bench-" + scenario + "-requests", "bench-" + scenario + "-events",
                "bench-" + scenario + "-dlq");
    }

    /** Produces requests {@code prefix-i} for VPS {@code vpsPrefix i}, i in [from, to); paced if perSecond > 0. */
    static void produce(KafkaProducer<String, String> producer, String topic, String prefix, String vpsPrefix,
                                int from, int to, double perSecond) throws Exception {
        long t0 = System.nanoTime();
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            if (perSecond > 0) {
                long due = t0 + (long) ((i - from) / perSecond * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            String id = Kafka.requestId(prefix, i);
            sent.add(producer.send(new ProducerRecord<>(topic, id, Kafka.request(id, SimulatorControl.vpsId(vpsPrefix, i), i))));
        }
        long f0 = System.nanoTime();
        producer.flush();
        long flushMs = (System.nanoTime() - f0) / 1_000_000;
        if (flushMs > 5000) {
            say("   (the producer needed " + flushMs + " ms to flush " + (to - from) + " records to " + topic + ")");
        }
        // A record the broker did not take is sent again, so that every scenario is complete. (Seen after the in-flight
        // scenario: one partition of a freshly created topic timed out every write for the producer's 120 s delivery
        // timeout; cause not found yet.)
        for (int attempt = 0; attempt < 3; attempt++) {
            List<Integer> failed = new ArrayList<>();
            for (int k = 0; k < sent.size(); k++) {
                try {
                    sent.get(k).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failed.add(k);
                }
            }
            if (failed.isEmpty()) {
                return;
            }
            say("   " + failed.size() + " records to " + topic + " were not delivered; sending them again");
            for (int k : failed) {
                int i = from + k;
                String id = Kafka.requestId(prefix, i);
                sent.set(k, producer.send(new ProducerRecord<>(topic, id, Kafka.request(id, SimulatorControl.vpsId(vpsPrefix, i), i))));
            }
            producer.flush();
        }
    }

    // ------------------------------------------------------------------ 1. throughput

    /** Sustained rate: the middle 80 % of arrivals (drops ramp-up and tail). */
    static double sustainedRate(long[] sortedNanos) {
        int n = sortedNanos.length;
        if (n < 10) {
            return Double.NaN;
        }
        int a = n / 10;
        int b = n - 1 - n / 10;
        return (b - a) / ((sortedNanos[b] - sortedNanos[a]) / 1e9);
    }

    private double passthrough(int records, int round) throws Exception {
        String in = "bench-pass-in-" + round;
        String outTopic = "bench-pass-out-" + round;
        Kafka.createTopics(bootstrap, 3, in, outTopic);
        try (Kafka.Watcher w = new Kafka.Watcher(bootstrap, outTopic);
             Kafka.Relay relay = new Kafka.Relay(bootstrap, in, outTopic);
             KafkaProducer<String, String> p = Kafka.producer(bootstrap)) {
            produce(p, in, "pass" + round, "vps_pass_", 0, records, 0);
            if (!w.await(records, Duration.ofMinutes(5))) {
                throw new IllegalStateException("passthrough: only " + w.arrivals.size() + " of " + records);
            }
            return sustainedRate(w.sortedNanos());
        }
    }

    /** The minimal client's figures (see {@link MinimalClient}); the simulator's CPU per call over the whole child run. */
    record ClientRun(long calls, long errors, double seconds, double callsPerSecond, double clientCpuMicrosPerCall,
                     double serverCpuMicrosPerCall) {
    }

    /** The simulator's capacity: the minimal client, unpaced, 20 chains, after 300 warm-up jobs. */
    private ClientRun capacity(int jobs, int round) throws Exception {
        return minimalClient("vps_cap" + round + "_", 300, jobs, 0);
    }

    /**
     * Runs {@link MinimalClient} in its own JVM on {@code jobs} fresh VPSs, paced at {@code perSecond} calls/s (0: unpaced),
     * after {@code warmup} unpaced jobs (so that the JIT is done before it is measured).
     */
    private ClientRun minimalClient(String prefix, int warmup, int jobs, int perSecond) throws Exception {
        sim.vps(prefix, warmup + jobs, 0, 0);
        long srv0 = Child.cpuNanos(simPid);
        try (Child c = Child.java("dev.hostupiso.worker.bench.MinimalClient", List.of("-Xmx256m"),
                List.of(api, TOKEN, prefix, Integer.toString(warmup), Integer.toString(jobs), "20", Integer.toString(perSecond)),
                work.resolve("minimal-client-" + prefix + ".log"))) {
            String line = c.awaitLine(Pattern.compile("(RESULT .*) END"), Duration.ofMinutes(10)); // END: a whole line, not a partly flushed one
            Map<String, String> kv = new HashMap<>();
            for (String part : line.substring("RESULT ".length()).split(" ")) {
                kv.put(part.substring(0, part.indexOf('=')), part.substring(part.indexOf('=') + 1));
            }
            long calls = Long.parseLong(kv.get("calls"));
            double seconds = Double.parseDouble(kv.get("seconds"));
            double srv = (Child.cpuNanos(simPid) - srv0) / 1e3 / Long.parseLong(kv.get("totalCalls"));
            return new ClientRun(calls, Long.parseLong(kv.get("errors")), seconds, calls / seconds,
                    Double.parseDouble(kv.get("cpuMicrosPerCall")), srv);
        }
    }

    private void throughput() throws Exception {
        int jobs = envInt("BENCH_JOBS", 10000);
        int warmup = envInt("BENCH_WARMUP", 1000);
        int capJobs = envInt("BENCH_CAPACITY_JOBS", Math.max(1000, jobs / 2));
        say("1. throughput: " + jobs + " jobs (+" + warmup + " warm-up); limits first");
        sim.reset();
        ClientRun cap1 = capacity(capJobs, 1);
        say("   simulator capacity (minimal async client, 20 connections): " + f0(cap1.callsPerSecond()) + " calls/s");
        double pass1 = passthrough(jobs, 1);
        say("   broker passthrough: " + f0(pass1) + " records/s");

        sim.reset();
        sim.vps("vps_t_", warmup + jobs, 0, 0);
        ensureTopics("throughput");
        Map<String, String> env = Map.of("ISO_POLL_INITIAL_DELAY", "100ms", "ISO_POLL_MAX_DELAY", "1s");
        double rate;
        long[] arrivals;
        long apiCalls;
        double workerCpuMicrosPerCall;
        long failedOutcomes;
        String cpuShares;
        double othersCpuMsPerJob; // broker, simulator and load generator, per job of the measured run
        try (WorkerProcess w = startWorker("throughput", env, List.of());
             Kafka.Watcher events = new Kafka.Watcher(bootstrap, "bench-throughput-events");
             KafkaProducer<String, String> p = Kafka.producer(bootstrap)) {
            produce(p, "bench-throughput-requests", "tput", "vps_t_", 0, warmup, 0);
            if (!events.await(warmup, Duration.ofMinutes(5))) {
                throw new IllegalStateException("warm-up: only " + events.arrivals.size() + " outcomes; see " + w.log());
            }
            say("   warm-up done; measuring");
            events.arrivals.clear();
            long calls0 = sim.total();
            long cpu0 = Child.cpuNanos(w.pid());
            long[] others0 = {Child.cpuNanos(simPid), Child.cpuNanos(brokerPid), Child.cpuNanos(ProcessHandle.current().pid())};
            long t0 = System.nanoTime();
            produce(p, "bench-throughput-requests", "tput", "vps_t_", warmup, warmup + jobs, 0);
            if (!events.await(jobs, Duration.ofSeconds(120 + jobs / 20))) {
                throw new IllegalStateException("only " + events.arrivals.size() + " of " + jobs + " outcomes; see " + w.log());
            }
            apiCalls = sim.total() - calls0;
            double wall = (System.nanoTime() - t0) / 1e9;
            long workerCpu = Child.cpuNanos(w.pid()) - cpu0;
            workerCpuMicrosPerCall = workerCpu / 1e3 / apiCalls;
            othersCpuMsPerJob = (Child.cpuNanos(simPid) - others0[0] + Child.cpuNanos(brokerPid) - others0[1]
                    + Child.cpuNanos(ProcessHandle.current().pid()) - others0[2]) / 1e6 / jobs;
            cpuShares = String.format(Locale.ROOT, "over the %.1f s of the measured run the processes used, in cores: "
                            + "worker %.2f, simulator %.2f, broker %.2f, load generator and consumers %.2f (total %.2f of 2)",
                    wall, workerCpu / 1e9 / wall, (Child.cpuNanos(simPid) - others0[0]) / 1e9 / wall,
                    (Child.cpuNanos(brokerPid) - others0[1]) / 1e9 / wall,
                    (Child.cpuNanos(ProcessHandle.current().pid()) - others0[2]) / 1e9 / wall,
                    (workerCpu + Child.cpuNanos(simPid) - others0[0] + Child.cpuNanos(brokerPid) - others0[1]
                            + Child.cpuNanos(ProcessHandle.current().pid()) - others0[2]) / 1e9 / wall);
            arrivals = events.sortedNanos();
            for (int i = 0; i < arrivals.length; i++) {
                arrivals[i] -= t0;
            }
            rate = sustainedRate(arrivals);
            failedOutcomes = events.types.values().stream().filter(t -> !t.endsWith(".completed")).count();
        }
        say("   worker: " + f0(rate) + " jobs/s sustained, " + f1((double) apiCalls / jobs) + " API calls per job");
        sim.reset();
        ClientRun cap2 = capacity(capJobs, 2);
        double pass2 = passthrough(jobs, 2);
        say("   limits after: simulator " + f0(cap2.callsPerSecond()) + " calls/s, broker " + f0(pass2) + " records/s");

        double capCalls = Math.max(cap1.callsPerSecond(), cap2.callsPerSecond());
        double limitB = capCalls / MinimalClient.CALLS_PER_JOB;
        double limitA = Math.max(pass1, pass2);
        double limit = Math.min(limitA, limitB);
        double ceiling = Runtime.getRuntime().availableProcessors() * 1e3
                / (othersCpuMsPerJob + MinimalClient.CALLS_PER_JOB * Math.min(cap1.clientCpuMicrosPerCall(), cap2.clientCpuMicrosPerCall()) / 1e3);
        results.row("1. Throughput (jobs completing at once)", f0(rate) + " jobs/s",
                "min(broker " + f0(limitA) + "/s, simulator " + f0(capCalls) + " calls/s ÷ 3 = " + f0(limitB) + "/s) = "
                        + f0(limit) + "/s", rate / limit, "≥ 0.80", rate / limit >= 0.8);
        results.section("1. Throughput", String.join("\n",
                "- " + jobs + " requests produced at once (after " + warmup + " warm-up jobs), each on its own VPS; the simulator "
                        + "answers from-url 202 and the first poll `completed`, then the ISO list is read: 3 API calls per job "
                        + "(measured: " + f2((double) apiCalls / jobs) + " calls/job; outcomes not `completed`: " + failedOutcomes
                        + "). Worker: `ISO_POLL_INITIAL_DELAY=100ms`, "
                        + "`ISO_POLL_MAX_DELAY=1s`, default `ISO_MAX_IN_FLIGHT` (1000) and `HOSTUP_API_MAX_CONNECTIONS` (20).",
                "- Rates are the middle 80 % of outcome arrivals at an independent consumer (request produced → outcome consumed).",
                "- Limit (a), broker passthrough: a plain consumer answers each request-sized record with an outcome-sized "
                        + "record (CloudEvent headers, acks=all, idempotent producer) — the broker traffic of one job with no work "
                        + "in between: " + f0(pass1) + " / " + f0(pass2) + " per s (before / after the worker run; the higher counts).",
                "- Limit (b), simulator capacity: a minimal asynchronous client in its own JVM (`MinimalClient`: the worker's "
                        + "HTTP stack, Vert.x core's HTTP client, and nothing else; 20 chains like the worker's 20 connections, the "
                        + "same 3-call job, after 300 warm-up jobs) reached " + f0(cap1.callsPerSecond()) + " / " + f0(cap2.callsPerSecond())
                        + " calls/s (before / after; " + cap1.errors() + "/" + cap2.errors() + " errors). Its own CPU: "
                        + f0(cap1.clientCpuMicrosPerCall()) + " µs per call; the simulator's: " + f0(cap1.serverCpuMicrosPerCall())
                        + " µs per call.",
                "- Worker CPU during the measured run: " + f0(workerCpuMicrosPerCall) + " µs per API call (all of its work: "
                        + "Kafka in and out, HTTP, JSON, logging). On 2 cores the worker, the simulator, the broker and the "
                        + "load generator share the CPUs; the limits ran without the worker: " + cpuShares + ".",
                "- The machine's CPU ceiling, for any worker: the broker, the simulator and the load generator spent "
                        + f2(othersCpuMsPerJob) + " ms of CPU per job in the measured run (the broker's share includes the ledger); a "
                        + "worker as cheap as the minimal client (" + MinimalClient.CALLS_PER_JOB + " × " + f0(Math.min(cap1.clientCpuMicrosPerCall(), cap2.clientCpuMicrosPerCall()))
                        + " µs) would make it " + f2(Runtime.getRuntime().availableProcessors() * 1e3 / ceiling)
                        + " ms per job, so " + Runtime.getRuntime().availableProcessors() + " cores cap any worker at "
                        + f0(ceiling) + " jobs/s = " + f2(ceiling / limit) + " of the limit; the worker reached " + f2(rate / ceiling)
                        + " of that ceiling.",
                "- Plot: `bench/throughput.png`."));
        // plot: arrivals per second
        List<double[]> perSec = histogram(arrivals, 1e9);
        Plot.write(out.resolve("throughput.png"), "1. Throughput — outcomes per second (" + jobs + " jobs)",
                List.of(new Plot.Panel("Outcome events consumed per second", "seconds since the first request was produced",
                                "jobs / s").add(Plot.Series.line("worker", perSec))
                                .ref(limitA <= limitB ? "limit (a) broker" : "limit (b) sim ÷ 3", limit)
                                .ref("80 % of limit", 0.8 * limit),
                        Plot.Panel.bars("Sustained rates (middle 80 %)", "jobs / s",
                                new String[] {"worker", "(a) broker passthrough", "(b) simulator ÷ 3"},
                                new double[] {rate, limitA, limitB})));
    }

    static List<double[]> histogram(long[] offsetsNanos, double bucketNanos) {
        TreeMap<Long, Integer> b = new TreeMap<>();
        for (long t : offsetsNanos) {
            b.merge((long) (t / bucketNanos), 1, Integer::sum);
        }
        List<double[]> pts = new ArrayList<>();
        if (b.isEmpty()) {
            return pts;
        }
        for (long k = b.firstKey(); k <= b.lastKey(); k++) {
            pts.add(new double[] {k * bucketNanos / 1e9, b.getOrDefault(k, 0) * (1e9 / bucketNanos)});
        }
        return pts;
    }

    // ------------------------------------------------------------------ 2. in flight

    private void inFlight() throws Exception {
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
            Sampler s = new Sampler(w, t0);
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

    /** Samples the worker: /q/metrics, /proc, and the simulator's call count. */
    final class Sampler {
        static final int T = 0;
        static final int IN_FLIGHT = 1;
        static final int HEAP = 2;
        static final int HEAP_COMMITTED = 3;
        static final int RSS = 4;
        static final int THREADS = 5;
        static final int GC_N = 6;
        static final int GC_S = 7;
        static final int CPU = 8;
        static final int CALLS = 9;
        private final WorkerProcess w;
        private final long t0;
        double[] prev;

        Sampler(WorkerProcess w, long t0) {
            this.w = w;
            this.t0 = t0;
        }

        double[] sample() throws Exception {
            String m = w.get("/q/metrics");
            double[] s = new double[10];
            s[T] = (System.nanoTime() - t0) / 1e9;
            s[IN_FLIGHT] = metric(m, "isoworker_jobs_in_flight", "");
            s[HEAP] = metric(m, "jvm_memory_used_bytes", "area=\"heap\"") / 1048576.0;
            s[HEAP_COMMITTED] = metric(m, "jvm_memory_committed_bytes", "area=\"heap\"") / 1048576.0;
            s[RSS] = Child.statusKiB(w.pid(), "VmRSS") / 1024.0;
            s[THREADS] = metric(m, "jvm_threads_live_threads", "");
            s[GC_N] = metric(m, "jvm_gc_pause_seconds_count", "");
            s[GC_S] = metric(m, "jvm_gc_pause_seconds_sum", "");
            s[CPU] = Child.cpuNanos(w.pid()) / 1e9;
            s[CALLS] = sim.total();
            return s;
        }

        String csv(double[] s, String phase) {
            return String.format(Locale.ROOT, "%.1f,%s,%.0f,%.1f,%.1f,%.1f,%.0f,%.0f,%.3f,%.2f,%.0f", s[T], phase,
                    s[IN_FLIGHT], s[HEAP], s[HEAP_COMMITTED], s[RSS], s[THREADS], s[GC_N], s[GC_S], s[CPU], s[CALLS]);
        }
    }

    /** "name × count" of a {@code jcmd Thread.print}, most frequent first. */
    static String threadSummary(String dump) {
        Map<String, Integer> n = new HashMap<>();
        for (String line : dump.split("\n")) {
            if (line.startsWith("\"")) {
                String name = line.substring(1, line.indexOf('"', 1)).replaceAll("\\d+", "N");
                n.merge(name, 1, Integer::sum);
            }
        }
        return String.join(", ", n.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> "`" + e.getKey() + "` × " + e.getValue()).toList());
    }

    /** Sum of the samples of {@code name} whose labels contain {@code labelPart}. */
    static double metric(String text, String name, String labelPart) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name) && line.length() > name.length()
                    && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ')
                    && line.contains(labelPart)) {
                String v = line.substring(line.lastIndexOf(' ') + 1);
                try {
                    sum += Double.parseDouble(v);
                } catch (NumberFormatException ignored) {
                    // NaN gauges and the like
                }
            }
        }
        return sum;
    }

    // ------------------------------------------------------------------ 3. rate limit

    private void rateLimit() throws Exception {
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
        try (WorkerProcess w = startWorker("ratelimit", Map.of("ISO_POLL_INITIAL_DELAY", "500ms", "ISO_POLL_MAX_DELAY", "5s"),
                List.of());
             Kafka.Watcher events = new Kafka.Watcher(bootstrap, "bench-ratelimit-events")) {
            long expectSecs = (long) (3.0 * requests / limit * window.toSeconds());
            if (!events.await(requests, Duration.ofSeconds(120 + 2 * expectSecs))) {
                say("   WARNING: only " + events.arrivals.size() + " of " + requests + " outcomes");
            }
            calls = sim.calls();
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
        results.section("3. Rate-limit goodput", String.join("\n",
                "- " + requests + " requests queued before the worker starts; jobs complete at once (3 calls each). The simulator "
                        + "allows " + limit + " calls per " + window.toSeconds() + " s fixed window per key (the window opens at "
                        + "the key's first call after the previous one ended; `X-RateLimit-Reset` is an ISO timestamp rounded "
                        + "up to the second; 429 with `Retry-After` seconds).",
                "- Used fraction: successful calls made within the first " + m + " whole windows of wall time after the "
                        + "first call, divided by " + m + " × " + limit + " (the tail, where work runs out, is excluded).",
                "- " + calls.size() + " calls in total over " + f1((lastAt - first) / 1e6) + " s; " + rejected + " answered 429.",
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

    // ------------------------------------------------------------------ 4. latency

    private void latency() throws Exception {
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

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int idx = (int) Math.ceil(p / 100.0 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, idx))];
    }

    static List<double[]> cdf(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            pts.add(new double[] {v[i], 100.0 * (i + 1) / v.length});
        }
        return pts;
    }

    // ------------------------------------------------------------------ 5. start-up and footprint

    private void startup() throws Exception {
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

    // ------------------------------------------------------------------ formatting

    static String f0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f %%", v * 100);
    }

    static String fmtList(List<Double> v) {
        return String.join(", ", v.stream().map(BenchMain::f0).toList());
    }

    static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The table, the machine, the sections. */
    final class Results {
        private final List<String> rows = new ArrayList<>();
        private final Map<String, String> sections = new LinkedHashMap<>();
        private String loadStart;
        private String loadEnd;
        private Duration elapsed;
        private final ZonedDateTime date = ZonedDateTime.now();

        void machine(String load) {
            loadStart = load;
        }

        void finish(String load, Duration d) {
            loadEnd = load;
            elapsed = d;
        }

        void row(String scenario, String measured, String limit, double ratio, String target, boolean pass) {
            rows.add("| " + scenario + " | " + measured + " | " + limit + " | " + f2(ratio) + " | " + target + " | "
                    + (pass ? "**pass**" : "**MISS**") + " |");
        }

        void section(String title, String body) {
            sections.put(title, body);
        }

        String markdown(String analysis) throws IOException {
            StringBuilder sb = new StringBuilder();
            sb.append("# Benchmark results\n\n");
            sb.append("Generated by `bench/run` (").append(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(date.withNano(0)))
                    .append("). Every figure is set against a limit measured in the same run on the same machine. ")
                    .append("Configuration of this run: ").append(knobs()).append(".\n\n");
            sb.append("| scenario | measured | limit (same run) | ratio | target | result |\n");
            sb.append("|---|---|---|---|---|---|\n");
            rows.forEach(r -> sb.append(r).append('\n'));
            sb.append("\n## Machine\n\n");
            sb.append("- Cores: ").append(Runtime.getRuntime().availableProcessors()).append('\n');
            sb.append("- Memory: ").append(memTotal()).append('\n');
            sb.append("- CPU: ").append(cpuModel()).append('\n');
            sb.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"))
                    .append(" (").append(System.getProperty("java.vendor")).append(")\n");
            sb.append("- Worker runtime: ").append(runtime.description()).append('\n');
            sb.append("- OS: ").append(osRelease()).append(", kernel ").append(System.getProperty("os.version")).append('\n');
            sb.append("- Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(date)).append('\n');
            sb.append("- Load average (1/5/15 min, runnable/total, last pid) at start: `").append(loadStart)
                    .append("`, at end: `").append(loadEnd).append("`\n");
            sb.append("- Run time: ").append(elapsed.toMinutes()).append(" min ").append(elapsed.toSecondsPart()).append(" s\n");
            sb.append("- Processes: Kafka broker (Apache Kafka KRaft, `EmbeddedKafka`, own JVM, `-Xmx1g`), HostUp simulator ")
                    .append("(`SimulatorMain`, own JVM, `-Xmx1g`), the packaged worker (`WorkerProcess`, own JVM, the pod's ")
                    .append("JVM options), and the load generator/consumers (this launcher's JVM). All on loopback.\n");
            sb.append("\n**Noise.** This is a shared 2-core machine: while this ran, other builds and test runs were using the ")
                    .append("same cores (see the load averages above). All four processes of the benchmark also share the two ")
                    .append("cores, so CPU-bound figures (throughput, start-up) are pessimistic and vary by ±20 % or more between ")
                    .append("runs; limits are measured in the same run (before and after, the better of the two) to cancel drift.\n");
            for (Map.Entry<String, String> e : sections.entrySet()) {
                sb.append("\n## ").append(e.getKey()).append("\n\n").append(e.getValue()).append('\n');
            }
            if (analysis != null && !analysis.isBlank()) {
                sb.append("\n").append(analysis.strip()).append('\n');
            }
            sb.append("\n## Reproduce\n\n```sh\nbench/run                 # full run (~15 min on 2 cores)\n")
                    .append("BENCH_SOAK=60s BENCH_JOBS=3000 bench/run   # quick run (~8 min)\n```\n\n")
                    .append("Knobs (environment): `BENCH_SCENARIOS` (comma list of throughput, inflight, ratelimit, latency, ")
                    .append("startup, calls), `BENCH_JOBS`, `BENCH_WARMUP`, `BENCH_CAPACITY_JOBS`, `BENCH_INFLIGHT_JOBS`, `BENCH_INFLIGHT_XMX` (default 1g), `BENCH_SOAK`, ")
                    .append("`BENCH_SOAK_SETTLE`, `BENCH_RL_REQUESTS`, `BENCH_RL_LIMIT`, `BENCH_RL_WINDOW`, `BENCH_LAT_JOBS`, ")
                    .append("`BENCH_LAT_RATE`, `BENCH_LAT_POLL_INITIAL`, `BENCH_LAT_POLL_MAX`, `BENCH_STARTS`, `BENCH_IDLE`, `BENCH_CALLS_JOBS`, `BENCH_CALLS_SCALE`, ")
                    .append("`BENCH_JFR` (`all` or scenario names: record the worker with JFR into `target/bench/*.jfr`), ")
                    .append("`BENCH_AOT` (`off`: workers on the build's JDK without the AOT cache), `AOT_JAVA_HOME` (the JDK 25+ ")
                    .append("to train and run the workers on; default: the newest under `/usr/lib/jvm`). ")
                    .append("Logs of every process: `target/bench/`.\n");
            return sb.toString();
        }

        private String knobs() {
            List<String> k = new ArrayList<>();
            System.getenv().entrySet().stream().filter(e -> e.getKey().startsWith("BENCH_"))
                    .sorted(Map.Entry.comparingByKey()).forEach(e -> k.add("`" + e.getKey() + "=" + e.getValue() + "`"));
            return k.isEmpty() ? "defaults" : String.join(", ", k);
        }
    }

    static String memTotal() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    return f1(Long.parseLong(l.replaceAll("[^0-9]", "")) / 1048576.0) + " GiB";
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return f1(os.getTotalMemorySize() / 1073741824.0) + " GiB";
    }

    static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return System.getProperty("os.arch");
    }

    static String osRelease() {
        try {
            for (String l : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (l.startsWith("PRETTY_NAME=")) {
                    return l.substring(12).replace("\"", "");
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return System.getProperty("os.name");
    }
}
