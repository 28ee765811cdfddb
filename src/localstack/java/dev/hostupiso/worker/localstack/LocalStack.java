package dev.hostupiso.worker.localstack;

import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.simulator.SimulatorOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The worker's whole world on one machine: a real Kafka broker (in this JVM, or as its own restartable process), the
 * HostUp simulator (in this JVM, loopback) and packaged workers as their own processes, configured through environment
 * variables as in production. One fixture for the demo, the sandbox, the AOT-cache training run, the process tests
 * and the chaos soak. {@link #close()} stops the workers (SIGTERM, their graceful shutdown), then the simulator, then
 * the broker.
 */
public final class LocalStack implements AutoCloseable {

    /** The API key the simulator accepts and the worker is given unless another is chosen. Not a real key. */
    public static final String TOKEN = "local-token-not-a-real-key";
    public static final String REQUESTS = "iso-download-requests";
    public static final String EVENTS = "iso-download-events";
    public static final String DLQ = "iso-download-requests-dlq";

    private final EmbeddedKafka kafka;
    private final KafkaBrokerProcess brokerProcess;
    private final String bootstrap;
    private final HostUpSimulator hostup;
    private final String token;
    private final List<WorkerProcess> workers = new ArrayList<>();
    private boolean closed;

    private LocalStack(EmbeddedKafka kafka, KafkaBrokerProcess brokerProcess, HostUpSimulator hostup, String token) {
        this.kafka = kafka;
        this.brokerProcess = brokerProcess;
        this.bootstrap = kafka != null ? kafka.bootstrapServers() : brokerProcess.bootstrapServers();
        this.hostup = hostup;
        this.token = token;
    }

    /**
     * What the demo and the sandbox start: the services and one worker.
     *
     * @param buildDir   the Maven build directory holding {@code quarkus-app/quarkus-run.jar}
     * @param workDir    where the broker's data and the worker's log go
     * @param partitions partitions of the request and outcome topics
     * @param workerEnv  worker settings on top of the connection ones (broker, simulator URL, key)
     * @param script     scripts the simulator before the worker starts
     */
    public record Options(Path buildDir, Path workDir, int partitions, Map<String, String> workerEnv,
                          Consumer<HostUpSimulator> script) {
        public Options {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be >= 1");
            }
            workerEnv = Map.copyOf(workerEnv);
        }
    }

    /** Starts broker, simulator and one worker and waits until it is ready; stops what started if one fails. */
    public static LocalStack start(Options options, Consumer<String> say) throws Exception {
        WorkerProcess.packagedJar(options.buildDir()); // fail before starting anything when the worker is not built
        LocalStack stack = builder(options.workDir()).partitions(options.partitions(), options.partitions())
                .script(options.script()).start(say);
        try {
            Path log = options.workDir().resolve("worker.log");
            say.accept("Starting the worker (quarkus-app/quarkus-run.jar), log in " + log);
            WorkerProcess worker = stack.launchWorker(Path.of(System.getProperty("java.home")),
                    WorkerProcess.packagedJar(options.buildDir()), options.workerEnv(), List.of("-Xmx256m"), log);
            Duration ready = worker.awaitReady(Duration.ofSeconds(90));
            say.accept("Worker ready in " + ready.toMillis() + " ms (http://127.0.0.1:" + worker.httpPort() + "/q/health)");
            return stack;
        } catch (Exception e) {
            stack.close();
            throw e;
        }
    }

    /** A stack whose broker data and logs go to {@code workDir}; {@link Builder#start} starts broker and simulator. */
    public static Builder builder(Path workDir) {
        return new Builder(workDir);
    }

    /** The services to start; workers are launched afterwards, with {@link #launchWorker}. */
    public static final class Builder {
        private final Path workDir;
        private String token = TOKEN;
        private int requestPartitions = 3;
        private int eventPartitions = 3;
        private boolean brokerProcess;
        private List<String> brokerHosts = List.of();
        private SimulatorOptions.Builder simulator = SimulatorOptions.builder();
        private Consumer<HostUpSimulator> script = sim -> { };

        private Builder(Path workDir) {
            this.workDir = workDir;
        }

        /** The API key the simulator accepts and the workers are given. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Partitions of the request and outcome topics (the dead-letter topic has one). */
        public Builder partitions(int requests, int events) {
            if (requests < 1 || events < 1) {
                throw new IllegalArgumentException("partitions must be >= 1");
            }
            this.requestPartitions = requests;
            this.eventPartitions = events;
            return this;
        }

        /** The broker as its own process on fixed ports, so that it can be stopped and restarted. */
        public Builder restartableBroker() {
            this.brokerProcess = true;
            return this;
        }

        /** A restartable broker with one more listener on each of {@code hosts} (addresses of this machine). */
        public Builder restartableBroker(List<String> hosts) {
            this.brokerProcess = true;
            this.brokerHosts = List.copyOf(hosts);
            return this;
        }

        /** Simulator options (seed, faults, recorded calls...); the key is the stack's. */
        public Builder simulator(SimulatorOptions.Builder options) {
            this.simulator = options;
            return this;
        }

        /** Scripts the simulator once it runs. */
        public Builder script(Consumer<HostUpSimulator> script) {
            this.script = script;
            return this;
        }

        /** Starts the broker, creates the topics, starts and scripts the simulator. */
        public LocalStack start(Consumer<String> say) throws Exception {
            Path work = Files.createDirectories(workDir);
            EmbeddedKafka kafka = null;
            KafkaBrokerProcess process = null;
            HostUpSimulator hostup = null;
            try {
                if (brokerProcess) {
                    say.accept("Starting a Kafka broker (Apache Kafka KRaft, its own process)...");
                    process = KafkaBrokerProcess.start(work.resolve("broker"), brokerHosts);
                } else {
                    say.accept("Starting a Kafka broker (Apache Kafka KRaft, in this JVM)...");
                    kafka = EmbeddedKafka.start(work.resolve("kafka"));
                }
                String bootstrap = kafka != null ? kafka.bootstrapServers() : process.bootstrapServers();
                EmbeddedKafka.createTopics(bootstrap, Map.of(REQUESTS, requestPartitions, EVENTS, eventPartitions, DLQ, 1));
                hostup = HostUpSimulator.start(simulator.token(token).build());
                script.accept(hostup);
                say.accept("Kafka at " + bootstrap + "; HostUp simulator at " + hostup.baseUrl());
                return new LocalStack(kafka, process, hostup, token);
            } catch (Exception e) {
                closeQuietly(hostup, kafka, process);
                throw e;
            }
        }

        private static void closeQuietly(HostUpSimulator hostup, EmbeddedKafka kafka, KafkaBrokerProcess process)
                throws Exception {
            if (hostup != null) {
                hostup.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            if (process != null) {
                process.close();
            }
        }
    }

    /**
     * What connects a worker to this stack: broker, simulator URL and key. The URL preflight is off:
     * requests here name real or made-up hosts, and a probe (even its DNS lookup) must not leave the
     * machine; a caller with a loopback origin turns it on in its own settings (the demo does).
     */
    public Map<String, String> workerEnv() {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap, "HOSTUP_API_URL", hostup.baseUrl(),
                "HOSTUP_API_TOKEN", token, "ISO_URL_PREFLIGHT", "off");
    }

    /**
     * Launches the worker {@code jar} on the JDK at {@code javaHome} with {@link #workerEnv()} plus {@code env} (an
     * empty value removes a variable), without waiting for it; {@link #close()} stops it.
     */
    public WorkerProcess launchWorker(Path javaHome, Path jar, Map<String, String> env, List<String> jvmOptions,
                                      Path log) throws Exception {
        Map<String, String> all = new HashMap<>(workerEnv());
        env.forEach((k, v) -> {
            if (v.isEmpty()) {
                all.remove(k);
            } else {
                all.put(k, v);
            }
        });
        WorkerProcess w = WorkerProcess.start(javaHome, jar, all, jvmOptions, log);
        synchronized (this) {
            workers.add(w);
        }
        return w;
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public String token() {
        return token;
    }

    public HostUpSimulator hostup() {
        return hostup;
    }

    /** The broker process of a stack built with {@link Builder#restartableBroker()}, else null. */
    public KafkaBrokerProcess brokerProcess() {
        return brokerProcess;
    }

    /** The first worker launched. */
    public synchronized WorkerProcess worker() {
        return workers.get(0);
    }

    /** Workers first (they still need the broker to hand their jobs over), then simulator, then broker. Idempotent. */
    @Override
    public void close() {
        List<WorkerProcess> toStop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = new ArrayList<>(workers);
        }
        boolean interrupted = false;
        for (WorkerProcess w : toStop) {
            try {
                w.close();
            } catch (InterruptedException e) {
                interrupted = true; // stop the rest all the same
            }
        }
        hostup.close();
        try {
            if (kafka != null) {
                kafka.close();
            } else {
                brokerProcess.close();
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
