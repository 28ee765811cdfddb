package dev.hostupiso.worker.localstack;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged worker ({@code target/quarkus-app/quarkus-run.jar}) run as its own JVM, configured
 * through environment variables exactly as in production. Used by the demo and the benchmarks.
 */
public final class WorkerProcess implements AutoCloseable {

    private final Process process;
    private final int httpPort;
    private final Path log;
    private final String host;

    private WorkerProcess(Process process, int httpPort, Path log, String host) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
        this.host = host;
    }

    public static WorkerProcess start(Path buildDir, Map<String, String> env, List<String> jvmOptions, Path log) throws IOException {
        return start(Path.of(System.getProperty("java.home")), packagedJar(buildDir), env, jvmOptions, log);
    }

    /** The packaged worker in {@code buildDir}, with a clear message when it has not been built. */
    public static Path packagedJar(Path buildDir) {
        Path jar = buildDir.resolve("quarkus-app").resolve("quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run 'mvn package' first");
        }
        return jar;
    }

    /** The worker in {@code jar} run by the JDK or JRE at {@code javaHome} (the image's JDK may not be the build's). */
    public static WorkerProcess start(Path javaHome, Path jar, Map<String, String> env, List<String> jvmOptions, Path log)
            throws IOException {
        return start(javaHome, jar, env, jvmOptions, log, List.of(), "127.0.0.1");
    }

    /**
     * The worker run through {@code prefix} (such as {@code ip netns exec NAME}, which execs it: the pid is the
     * worker's), its HTTP port reached at {@code host}.
     */
    public static WorkerProcess start(Path javaHome, Path jar, Map<String, String> env, List<String> jvmOptions, Path log,
                                      List<String> prefix, String host) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>(prefix);
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Only what the caller passes configures the worker, never the launching shell's settings.
        pb.environment().keySet().removeIf(k -> k.startsWith("HOSTUP_") || k.startsWith("ISO_") || k.startsWith("KAFKA_")
                || k.startsWith("QUARKUS_"));
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        return new WorkerProcess(pb.start(), port, log, host);
    }

    public int httpPort() {
        return httpPort;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** Waits until {@code /q/health/ready} answers 200; answers how long that took. */
    public Duration awaitReady(Duration timeout) throws Exception {
        Instant start = Instant.now();
        HttpClient http = HttpClient.newHttpClient();
        while (Duration.between(start, Instant.now()).compareTo(timeout) < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the worker exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return Duration.between(start, Instant.now());
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the worker was not ready within " + timeout + "; see " + log);
    }

    public String get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + path))
                .header("Accept", "text/plain; version=0.0.4").build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** SIGKILL: the process dies mid-work, with no chance to clean up. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM and wait up to {@code timeout} for the process to exit on its own; answers its exit code. */
    public int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("the worker did not exit within " + timeout + " of SIGTERM; see " + log);
        }
        return process.exitValue();
    }

    /** SIGTERM, as Kubernetes does, then SIGKILL if it does not leave in time. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
