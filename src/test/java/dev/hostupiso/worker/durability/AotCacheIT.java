package dev.hostupiso.worker.durability;

import dev.hostupiso.worker.testsupport.WorkerLogsOnFailure;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.hostupiso.worker.aot.AotJdk;
import dev.hostupiso.worker.localstack.WorkerProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The image's AOT cache, without Docker: runs the training command of the Dockerfile's
 * {@code aot-training} stage as written (paths mapped to this build), on a JDK 25+, then starts
 * the worker with {@code -XX:AOTMode=on}, which refuses to start when the cache cannot be used
 * (wrong JDK, class path or options), and has it complete a request. Skipped without a JDK 25+.
 */
@ExtendWith(WorkerLogsOnFailure.class)
class AotCacheIT {

    private static final Path DOCKERFILE = Path.of("src", "main", "docker", "Dockerfile.jvm");

    @Test
    void theDockerfilesTrainingRunRecordsACacheTheWorkerStartsOnAndWorksWith() throws Exception {
        Optional<Path> jdk = AotJdk.find();
        assumeTrue(jdk.isPresent(), "no JDK " + AotJdk.MIN_FEATURE + "+ here (set AOT_JAVA_HOME)");
        Path dir = Files.createDirectories(Path.of("target", "it", "aot"));
        Path cache = dir.resolve("app.aot").toAbsolutePath();
        Files.deleteIfExists(cache);

        List<String> command = trainingCommand(jdk.get(), cache);
        Process training = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("training.log").toFile()).start();
        assertThat(training.waitFor(10, TimeUnit.MINUTES)).as("training finished").isTrue();
        assertThat(training.exitValue()).as("training exit code, see %s", dir.resolve("training.log")).isZero();
        assertThat(cache).isRegularFile();
        assertThat(Files.size(cache)).isGreaterThan(10L << 20);

        List<String> workerOptions = new ArrayList<>(List.of("-XX:AOTMode=on", "-XX:AOTCache=" + cache));
        workerOptions.addAll(command.subList(command.indexOf(cache.toString()) + 1, command.size()));
        try (ProcessCluster cluster = new ProcessCluster("aot", 3, false)) {
            WorkerProcess worker = cluster.launchWorker(Map.of(), jdk.get(), workerOptions);
            Duration ready = worker.awaitReady(Duration.ofSeconds(90));
            System.out.println("worker on the AOT cache ready in " + ready.toMillis() + " ms (informative, not asserted)");
            cluster.sim.vps("vps_01aotit").jobDuration(Duration.ofMillis(500));
            cluster.send("aot-it-1", "vps_01aotit", "aot-it.iso");
            cluster.assertExactlyOneCompletedOutcomeEach(List.of("aot-it-1"), id -> "vps_01aotit", Duration.ofSeconds(60));
        }
    }

    /**
     * The {@code RUN} of the Dockerfile's training stage, with the image's paths mapped to this
     * build: {@code /deployments} to {@code target/quarkus-app}, {@code /aot-training} to
     * {@code target/aot-training}, the cache to {@code cache}, {@code java} to the JDK 25+.
     */
    static List<String> trainingCommand(Path jdk, Path cache) throws Exception {
        String dockerfile = Files.readString(DOCKERFILE).replace("\\\n", " ");
        String run = dockerfile.lines().map(String::strip).filter(l -> l.startsWith("RUN java ") && l.contains("AotTrainingMain"))
                .findFirst().orElseThrow(() -> new AssertionError("no training RUN in " + DOCKERFILE));
        Path app = Path.of("target", "quarkus-app").toAbsolutePath();
        Path kit = Path.of("target", "aot-training").toAbsolutePath();
        List<String> command = new ArrayList<>();
        for (String arg : Arrays.asList(run.substring("RUN ".length()).strip().split("\\s+"))) {
            String a = arg.replace("\"", "");
            if (a.equals("java")) {
                a = jdk.resolve("bin").resolve("java").toString();
            } else if (a.equals("/deployments/app.aot")) {
                a = cache.toString();
            }
            command.add(a.replace("/deployments", app.toString()).replace("/aot-training/", kit + "/"));
        }
        return command;
    }
}
