package dev.hostupiso.worker.localstack;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Apache Kafka's broker (KRaft, broker and controller combined) as its own process, on fixed ports
 * and a data directory that survive a restart: for tests that stop and restart the broker.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    private final Path dir;
    private final Path config;
    private final int port;
    private final Map<String, Integer> extraPorts;
    private Process process;

    private KafkaBrokerProcess(Path dir, Path config, int port, Map<String, Integer> extraPorts) {
        this.dir = dir;
        this.config = config;
        this.port = port;
        this.extraPorts = extraPorts;
    }

    /** Formats storage under {@code dir} and starts the broker. */
    public static KafkaBrokerProcess start(Path dir) throws Exception {
        return start(dir, List.of());
    }

    /**
     * Formats storage under {@code dir} and starts the broker, with one more listener on each of {@code extraHosts}
     * (addresses of this machine, such as the host side of a test's network namespace link), advertised as itself.
     */
    public static KafkaBrokerProcess start(Path dir, List<String> extraHosts) throws Exception {
        Files.createDirectories(dir);
        int port = freePort();
        int controller = freePort();
        Map<String, Integer> extraPorts = new java.util.LinkedHashMap<>();
        StringBuilder listeners = new StringBuilder("PLAINTEXT://127.0.0.1:" + port);
        StringBuilder advertised = new StringBuilder("PLAINTEXT://127.0.0.1:" + port);
        StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        for (int i = 0; i < extraHosts.size(); i++) {
            int p = freePort();
            extraPorts.put(extraHosts.get(i), p);
            listeners.append(",EXTRA").append(i).append("://").append(extraHosts.get(i)).append(':').append(p);
            advertised.append(",EXTRA").append(i).append("://").append(extraHosts.get(i)).append(':').append(p);
            protocols.append(",EXTRA").append(i).append(":PLAINTEXT");
        }
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=" + listeners + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=" + advertised,
                "inter.broker.listener.name=PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=" + protocols,
                "log.dirs=" + dir.resolve("data").toAbsolutePath(),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=3",
                "group.initial.rebalance.delay.ms=0",
                "num.partitions=3",
                "") );
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dir, config, port, Map.copyOf(extraPorts));
        Process format = broker.java("kafka.tools.StorageTool", "format", "-t", UUID.randomUUID().toString().substring(0, 22),
                "-c", config.toString()).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IllegalStateException("kafka storage format failed, see " + dir.resolve("format.log"));
        }
        broker.startProcess();
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The bootstrap address of the extra listener on {@code host}. */
    public String bootstrapServers(String host) {
        Integer p = extraPorts.get(host);
        if (p == null) {
            throw new IllegalArgumentException("no listener on " + host);
        }
        return host + ":" + p;
    }

    /** Stops the broker cleanly (SIGTERM) and waits for it to exit. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Starts the broker again on the same ports and data. */
    public void restart() throws Exception {
        startProcess();
    }

    private void startProcess() throws Exception {
        process = java("kafka.Kafka", config.toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
        // Generous: on a loaded machine a restart that recovers its logs can take over a minute.
        Instant until = Instant.now().plus(Duration.ofSeconds(180));
        while (Instant.now().isBefore(until)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("broker exited, see " + dir.resolve("broker.log"));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                Thread.sleep(500); // listening; give the controller a moment to elect itself
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("broker did not start, see " + dir.resolve("broker.log"));
    }

    private ProcessBuilder java(String mainClass, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
