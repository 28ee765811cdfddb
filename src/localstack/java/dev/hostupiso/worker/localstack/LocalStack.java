package dev.hostupiso.worker.localstack;

import dev.hostupiso.worker.simulator.HostUpSimulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The worker's whole world on one machine: a real Kafka broker (in this JVM), the HostUp simulator
 * (in this JVM, loopback) and the packaged worker as its own process, configured through environment
 * variables as in production. Shared by the demo and the sandbox. {@link #close()} stops the worker
 * (SIGTERM, its graceful shutdown), then the simulator, then the broker.
 */
public final class LocalStack implements AutoCloseable {

    /** The API key the simulator accepts and the worker is given. Not a real key. */
    public static final String TOKEN = "local-token-not-a-real-key";
    public static final String REQUESTS = "iso-download-requests";
    public static final String EVENTS = "iso-download-events";
    public static final String DLQ = "iso-download-requests-dlq";

    private final EmbeddedKafka kafka;
    private final HostUpSimulator hostup;
    private final WorkerProcess worker;
    private boolean closed;

    private LocalStack(EmbeddedKafka kafka, HostUpSimulator hostup, WorkerProcess worker) {
        this.kafka = kafka;
        this.hostup = hostup;
        this.worker = worker;
    }

    /**
     * What to start.
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

    /** Starts broker, simulator and worker and waits until the worker is ready; stops what started if one fails. */
    public static LocalStack start(Options options, Consumer<String> say) throws Exception {
        WorkerProcess.packagedJar(options.buildDir()); // fail before starting anything when the worker is not built
        Path work = Files.createDirectories(options.workDir());
        EmbeddedKafka kafka = null;
        HostUpSimulator hostup = null;
        try {
            say.accept("Starting a Kafka broker (Apache Kafka KRaft, in this JVM)...");
            kafka = EmbeddedKafka.start(work.resolve("kafka"));
            kafka.createTopics(Map.of(REQUESTS, options.partitions(), EVENTS, options.partitions(), DLQ, 1));
            hostup = HostUpSimulator.start(TOKEN);
            options.script().accept(hostup);
            say.accept("Kafka at " + kafka.bootstrapServers() + "; HostUp simulator at " + hostup.baseUrl());
            Map<String, String> env = new HashMap<>(options.workerEnv());
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            env.put("HOSTUP_API_URL", hostup.baseUrl());
            env.put("HOSTUP_API_TOKEN", TOKEN);
            Path log = work.resolve("worker.log");
            say.accept("Starting the worker (quarkus-app/quarkus-run.jar), log in " + log);
            WorkerProcess worker = WorkerProcess.start(options.buildDir(), env, List.of("-Xmx256m"), log);
            try {
                Duration ready = worker.awaitReady(Duration.ofSeconds(90));
                say.accept("Worker ready in " + ready.toMillis() + " ms (http://127.0.0.1:" + worker.httpPort() + "/q/health)");
                return new LocalStack(kafka, hostup, worker);
            } catch (Exception e) {
                worker.close();
                throw e;
            }
        } catch (Exception e) {
            if (hostup != null) {
                hostup.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            throw e;
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public HostUpSimulator hostup() {
        return hostup;
    }

    public WorkerProcess worker() {
        return worker;
    }

    /** Worker first (it still needs the broker to hand its jobs over), then simulator, then broker. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        try {
            worker.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
        hostup.close();
        try {
            kafka.close();
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
