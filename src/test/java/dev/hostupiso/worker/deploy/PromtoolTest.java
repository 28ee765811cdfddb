package dev.hostupiso.worker.deploy;

import static dev.hostupiso.worker.deploy.Rendered.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs the real promtool (Debian package {@code prometheus}) on deploy/prometheus. Without
 * promtool on PATH the tests are skipped locally and fail on CI ({@code CI=true}).
 */
class PromtoolTest {

    static Path promtool;

    @BeforeAll
    static void findPromtool() {
        Optional<Path> found = onPath("promtool");
        if (found.isEmpty()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("promtool is not on PATH but CI=true: install it (apt-get install -y --no-install-recommends prometheus)");
            }
            assumeTrue(false, "promtool is not on PATH (apt-get install -y --no-install-recommends prometheus); skipped outside CI");
        }
        promtool = found.get();
    }

    @Test
    @DisplayName("promtool check rules accepts deploy/prometheus/alerts.yaml")
    void checkRules() throws Exception {
        String out = run("check", "rules", "deploy/prometheus/alerts.yaml");
        assertThat(out).contains("SUCCESS");
    }

    @Test
    @DisplayName("promtool test rules passes deploy/prometheus/alerts_test.yaml")
    void testRules() throws Exception {
        String out = run("test", "rules", "deploy/prometheus/alerts_test.yaml");
        assertThat(out).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    @DisplayName("promtool check rules accepts the chart's copy of the rules")
    void checkChartCopy() throws Exception {
        assertThat(run("check", "rules", "helm/hostup-iso-worker/files/alerts.yaml")).contains("SUCCESS");
    }

    static String run(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("promtool finished").isTrue();
        assertThat(process.exitValue()).as("%s exit code; output:%n%s", command, output).isZero();
        return output;
    }

    static Optional<Path> onPath(String executable) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
