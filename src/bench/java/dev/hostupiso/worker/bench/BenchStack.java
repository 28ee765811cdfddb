package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.aot.AotJdk;
import dev.hostupiso.worker.aot.AotTrainingMain;
import dev.hostupiso.worker.localstack.WorkerProcess;
import dev.hostupiso.worker.simulator.SimulatorControl;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static dev.hostupiso.worker.bench.BenchEnv.env;
import static dev.hostupiso.worker.bench.BenchEnv.say;

/**
 * What every scenario runs against: a Kafka broker and the HostUp simulator, each in its own JVM (so that their CPU
 * is measured apart from the worker's), and packaged workers started on demand, on the image's runtime when a JDK 25+
 * is here. {@link #close()} stops the simulator and the broker.
 */
final class BenchStack implements AutoCloseable {

    static final String TOKEN = "bench-token-not-a-real-key";
    /** The Helm chart's default pod: 512 MiB limit, heap sized from it. */
    static final List<String> POD_JVM = List.of("-XX:MaxRAM=512m", "-XX:MaxRAMPercentage=75",
            "-XX:InitialRAMPercentage=50", "-XX:+ExitOnOutOfMemoryError",
            "-Djava.util.logging.manager=org.jboss.logmanager.LogManager");

    /** The JDK a worker runs on and the options that put it on an AOT cache, described for the results. */
    record WorkerRuntime(Path javaHome, List<String> options, String description) {
        static final WorkerRuntime BUILD_JDK = new WorkerRuntime(Path.of(System.getProperty("java.home")), List.of(),
                "the build's JDK, no AOT cache");
    }

    final Path build;
    final Path out;
    final Path work;
    final ResultsWriter results;
    final String bootstrap;
    final String api;
    final SimControl sim;
    final long simPid;
    final long brokerPid;
    private final Child broker;
    private final Child simulator;
    private int workerStarts;
    /** What the workers run on: the image's runtime when a JDK 25+ is here (see prepareRuntime). */
    WorkerRuntime runtime = WorkerRuntime.BUILD_JDK;
    final List<double[]> startups = new ArrayList<>(); // {ms} of every worker start in the run

    private BenchStack(Path build, Path out, Path work, ResultsWriter results, Child broker, Child simulator)
            throws Exception {
        this.build = build;
        this.out = out;
        this.work = work;
        this.results = results;
        this.broker = broker;
        this.simulator = simulator;
        bootstrap = broker.awaitLine(Pattern.compile("bootstrap\\.servers=(\\S+)"), Duration.ofSeconds(120));
        String line = simulator.awaitLine(Pattern.compile("(api=\\S+ control=\\S+)"), Duration.ofSeconds(60));
        api = line.replaceAll("api=(\\S+) .*", "$1");
        sim = new SimControl(line.replaceAll(".*control=(\\S+)", "$1"));
        simPid = simulator.pid();
        brokerPid = broker.pid();
    }

    /** Starts the broker ({@code EmbeddedKafka}) and the simulator ({@code SimulatorMain}), each in its own JVM. */
    static BenchStack start(Path build, Path out, Path work, ResultsWriter results) throws Exception {
        Child broker = Child.java("dev.hostupiso.worker.localstack.EmbeddedKafka",
                List.of("-Xmx1g", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager"),
                List.of(work.resolve("kafka").toString()), work.resolve("broker.log"));
        Child simulator = null;
        try {
            simulator = Child.java("dev.hostupiso.worker.simulator.SimulatorMain",
                    List.of("-Xmx1g", "-Dsun.net.httpserver.nodelay=true"),
                    List.of("--token=" + TOKEN, "--max-recorded-calls="
                            + System.getProperty("bench.sim.maxRecordedCalls", "400000")),
                    work.resolve("simulator.log"));
            return new BenchStack(build, out, work, results, broker, simulator);
        } catch (Exception e) {
            if (simulator != null) {
                simulator.close();
            }
            broker.close();
            throw e;
        }
    }

    WorkerProcess startWorker(String scenario, Map<String, String> extraEnv, List<String> extraJvm)
            throws Exception {
        return startWorker(runtime, scenario, extraEnv, extraJvm);
    }

    WorkerProcess startWorker(WorkerRuntime rt, String scenario, Map<String, String> extraEnv, List<String> extraJvm)
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

    Path jar() {
        return WorkerProcess.packagedJar(build);
    }

    /**
     * Runs the workers as the container image does: on a JDK 25+ with an AOT cache recorded by
     * the same training run as the image's build stage ({@link AotTrainingMain}). Without such a
     * JDK (or with {@code BENCH_AOT=off}), on this JVM's JDK without a cache, and the results say so.
     */
    void prepareRuntime() throws Exception {
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

    /** The minimal client's figures (see {@link MinimalClient}); the simulator's CPU per call over the whole child run. */
    record ClientRun(long calls, long errors, double seconds, double callsPerSecond, double clientCpuMicrosPerCall,
                     double serverCpuMicrosPerCall) {
    }

    /**
     * Runs {@link MinimalClient} in its own JVM on {@code jobs} fresh VPSs, paced at {@code perSecond} calls/s (0: unpaced),
     * after {@code warmup} unpaced jobs (so that the JIT is done before it is measured).
     */
    ClientRun minimalClient(String prefix, int warmup, int jobs, int perSecond) throws Exception {
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

    @Override
    public void close() throws InterruptedException {
        try {
            simulator.close();
        } finally {
            broker.close();
        }
    }
}
