package dev.hostupiso.worker.sandbox;

import dev.hostupiso.worker.localstack.LocalStack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A long-running local world for teams that consume the worker's events: a Kafka broker, the HostUp
 * simulator whose behaviour each request chooses by its VPS id ({@link Scenario}), and the packaged worker.
 * Writes {@code send-request} (the bundled sender) and {@code sandbox.env} (the bootstrap address) into its
 * directory and prints every outcome as it arrives. {@link #close()} stops the printer, then the worker,
 * the simulator and the broker.
 */
public final class Sandbox implements AutoCloseable {

    /** Short polls, so a normal download's outcome arrives seconds after it completes. */
    static final Map<String, String> WORKER_ENV = Map.of(
            "ISO_POLL_INITIAL_DELAY", "1s",
            "ISO_POLL_MAX_DELAY", "5s",
            "ISO_JOB_TIMEOUT", "30m");

    private final LocalStack stack;
    private final OutcomePrinter printer;
    private final Path dir;
    private final Consumer<String> say;
    private volatile boolean closed;

    private Sandbox(LocalStack stack, OutcomePrinter printer, Path dir, Consumer<String> say) {
        this.stack = stack;
        this.printer = printer;
        this.dir = dir;
        this.say = say;
    }

    /** Starts everything under {@code buildDir/sandbox} and waits until the worker is ready. */
    public static Sandbox start(Path buildDir, ScenarioTimings timings, Consumer<String> say) throws Exception {
        return start(buildDir, buildDir.resolve("sandbox"), timings, say);
    }

    /** {@link #start(Path, ScenarioTimings, Consumer)} with the broker's data, the log and the scripts in {@code dir}. */
    public static Sandbox start(Path buildDir, Path dir, ScenarioTimings timings, Consumer<String> say) throws Exception {
        LocalStack stack = LocalStack.start(new LocalStack.Options(buildDir, dir, 3, WORKER_ENV,
                hostup -> hostup.scenarios(Scenario.hook(timings))), say);
        try {
            Files.writeString(dir.resolve("sandbox.env"), "KAFKA_BOOTSTRAP_SERVERS=" + stack.bootstrapServers() + "\n");
            writeSendScript(dir.resolve("send-request"), stack.bootstrapServers());
            return new Sandbox(stack, new OutcomePrinter(stack.bootstrapServers(), LocalStack.EVENTS, LocalStack.DLQ, say),
                    dir, say);
        } catch (Exception e) {
            stack.close();
            throw e;
        }
    }

    /** A POSIX shell script that runs {@link SendRequest} on this JVM's class path against this broker. */
    private static void writeSendScript(Path script, String bootstrap) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(script, "#!/bin/sh\n"
                + "# Sends one request to the sandbox: send-request <scenario|vpsId> [filename] [url]\n"
                + "exec " + quote(java) + " -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp " + quote(System.getProperty("java.class.path"))
                + " " + SendRequest.class.getName() + " " + quote(bootstrap) + " " + LocalStack.REQUESTS + " \"$@\"\n");
        try {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: run SendRequest with java directly (see the README)
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    public String bootstrapServers() {
        return stack.bootstrapServers();
    }

    public LocalStack stack() {
        return stack;
    }

    /** The bundled sender script. */
    public Path sendScript() {
        return dir.resolve("send-request");
    }

    /** What a person needs to use the sandbox: the address, a one-line send command, the scenarios. */
    public void printUsage() {
        String b = bootstrapServers();
        String scenarios = Arrays.stream(Scenario.values())
                .map(s -> String.format("      %-12s %-17s %s", SendRequest.word(s),
                        s == Scenario.NORMAL ? "(any other id)" : s.prefix() + "…", s.description()))
                .collect(Collectors.joining("\n"));
        say.accept("Ready.\n"
                + "  Kafka bootstrap:  " + b + "   (also in " + display(dir.resolve("sandbox.env")) + ")\n"
                + "  Topics:           " + LocalStack.REQUESTS + " (requests), " + LocalStack.EVENTS
                + " (outcomes; read with isolation.level=read_committed), " + LocalStack.DLQ + "\n"
                + "  Send a request:   " + display(sendScript()) + " slow\n"
                + "    or with kcat:   echo '" + new SendRequest.Request("r-1", "vps_slow_1",
                "https://releases.example.org/" + SendRequest.DEFAULT_FILENAME, SendRequest.DEFAULT_FILENAME).json()
                + "' | kcat -P -b " + b + " -t " + LocalStack.REQUESTS + " -k r-1\n"
                + "  Read outcomes:    kcat -C -b " + b + " -t " + LocalStack.EVENTS + " -f '%k %h\\n%s\\n\\n'\n"
                + "  Scenarios, chosen by the request's vpsId (send-request takes the word, kcat the prefix):\n"
                + scenarios + "\n"
                + "  Worker log: " + display(stack.worker().log()) + ", health http://127.0.0.1:"
                + stack.worker().httpPort() + "/q/health, metrics /q/metrics\n"
                + "Outcomes are printed below as they arrive. Ctrl-C stops worker, simulator and broker.");
    }

    private static String display(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    /** Whether {@link #close()} has begun. */
    public boolean closing() {
        return closed;
    }

    /** Stops the outcome printer, then the worker (SIGTERM), the simulator and the broker. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        say.accept("Stopping: worker, HostUp simulator, Kafka broker...");
        try {
            printer.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stack.close();
        say.accept("Stopped.");
    }
}
