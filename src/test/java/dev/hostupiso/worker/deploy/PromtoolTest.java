package dev.hostupiso.worker.deploy;

import static dev.hostupiso.worker.deploy.Rendered.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;

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
    @DisplayName("promtool check rules accepts the chart's rules as rendered by default and with every value changed")
    void checkChartRenderings() throws Exception {
        Path dir = Files.createDirectories(ROOT.resolve("target/promtool-chart"));
        List<String> variants = List.of("", "fullnameOverride: isow\n", """
                metrics:
                  prometheusRule:
                    selectors: {worker: 'cluster="eu", job=~"iso-.*"', deployment: 'deployment=~"iso-.*"', consumerGroupLag: 'consumergroup=~"iso.*"'}
                    thresholds: {apiErrorRatio: 0.333, apiErrorMinCalls: 3, failureRatio: 0.025, failureMinCount: 1, consumerLag: 1000000}
                    requesterCodes: []
                    alertLabels: {team: iso}
                    alerts: {HostupIsoWorkerTargetDown: {enabled: false}, HostupIsoWorkerMetricsAbsent: {for: 1h, severity: critical}}
                    extraRules: [{record: 'namespace:isoworker_requests:rate5m', expr: 'sum by (namespace) (rate(isoworker_requests_total[5m]))'}]
                """);
        for (int i = 0; i < variants.size(); i++) {
            JsonNode spec = PrometheusRuleChartTest.prometheusRule(variants.get(i)).path("spec");
            Path file = dir.resolve("rules-" + i + ".yaml");
            Files.writeString(file, Rendered.YAML.writeValueAsString(spec));
            assertThat(run("check", "rules", file.toString())).as(variants.get(i)).contains("SUCCESS");
        }
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
