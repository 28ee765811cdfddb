package dev.hostupiso.worker.deploy;

import static dev.hostupiso.worker.deploy.Rendered.ALERTS;
import static dev.hostupiso.worker.deploy.Rendered.CHART;
import static dev.hostupiso.worker.deploy.Rendered.DASHBOARD;
import static dev.hostupiso.worker.deploy.Rendered.DOCKERFILE;
import static dev.hostupiso.worker.deploy.Rendered.DOCKERIGNORE;
import static dev.hostupiso.worker.deploy.Rendered.JSON;
import static dev.hostupiso.worker.deploy.Rendered.RUNBOOKS;
import static dev.hostupiso.worker.deploy.Rendered.YAML;
import static dev.hostupiso.worker.deploy.Rendered.elements;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Static checks of deploy/ (dashboard, alerts, runbooks), the chart's copies and the Dockerfile. */
class DeployFilesTest {

    static final String RUNBOOK_BASE = "https://github.com/hostup-iso-worker/hostup-iso-worker/blob/main/deploy/runbooks.md#";

    /**
     * Metric names the worker exposes (Micrometer → Prometheus) plus the Kafka/JVM/kube-state
     * ones the dashboard and alerts may use. A name outside this list is a typo or drift.
     */
    static final Set<String> KNOWN_METRICS = Set.of(
            "isoworker_requests_total",
            "isoworker_api_calls_total",
            "isoworker_api_call_duration_seconds_bucket", "isoworker_api_call_duration_seconds_count",
            "isoworker_api_call_duration_seconds_sum", "isoworker_api_call_duration_seconds_max",
            "isoworker_job_polls_bucket", "isoworker_job_polls_count", "isoworker_job_polls_sum",
            "isoworker_job_api_calls_bucket", "isoworker_job_api_calls_count", "isoworker_job_api_calls_sum",
            "isoworker_progress_events_total",
            "isoworker_job_duration_seconds_bucket", "isoworker_job_duration_seconds_count",
            "isoworker_job_duration_seconds_sum", "isoworker_job_duration_seconds_max",
            "isoworker_jobs_in_flight", "isoworker_max_in_flight", "isoworker_jobs_oldest_age_seconds",
            "isoworker_job_timeout_seconds",
            "isoworker_retry_after_wait_seconds_count", "isoworker_retry_after_wait_seconds_sum",
            "isoworker_retry_after_wait_seconds_max",
            "isoworker_rate_limit_remaining", "isoworker_rate_limit_limit",
            "isoworker_rate_limit_share", "isoworker_rate_limit_paced_rate",
            "isoworker_api_key_rejected", "isoworker_intake_paused",
            "isoworker_ledger_transactions_seconds_count", "isoworker_ledger_transactions_seconds_bucket",
            "isoworker_ledger_writes_total", "isoworker_jobs_resumed_total",
            "isoworker_ledger_failures_total", "isoworker_ledger_stalled", "isoworker_api_key_hold",
            "kafka_consumer_fetch_manager_records_lag_max", "kafka_consumer_fetch_manager_records_lag",
            "kafka_consumergroup_lag",
            "jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage",
            "kube_deployment_status_replicas_available", "kube_deployment_spec_replicas");

    private static final Pattern METRIC = Pattern.compile("\\b((?:isoworker|kafka|jvm|process|kube)_[a-z0-9_]+)\\b");

    // ---------------------------------------------------------------------------- chart copies

    @Test
    @DisplayName("the chart's copy of the dashboard is byte-identical to deploy/")
    void chartDashboardCopyIsIdentical() throws Exception {
        assertThat(Files.readAllBytes(CHART.resolve("files/hostup-iso-worker.json"))).isEqualTo(Files.readAllBytes(DASHBOARD));
    }

    @Test
    @DisplayName("deploy/prometheus/alerts.yaml holds exactly the chart's rules rendered with deploy/prometheus/plain-values.yaml")
    void plainAlertsAreTheChartRendering() throws Exception {
        JsonNode rendered = PrometheusRuleChartTest.plainRendering();
        Path out = Rendered.ROOT.resolve("target/alerts.rendered.yaml");
        Files.createDirectories(out.getParent());
        Files.writeString(out, YAML.writeValueAsString(rendered));
        assertThat(YAML.readTree(ALERTS.toFile())).as("alerts.yaml vs the chart's rendering (written to %s)", out).isEqualTo(rendered);
    }

    // ------------------------------------------------------------------------------ dashboard

    @Test
    @DisplayName("the dashboard has a fixed uid and datasource, cluster, namespace, job and pod variables")
    void dashboardVariables() throws Exception {
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("hostup-iso-worker");
        assertThat(dashboard.path("title").asText()).isNotBlank();
        List<JsonNode> vars = elements(dashboard.at("/templating/list"));
        JsonNode datasource = variable(vars, "datasource");
        assertThat(datasource.path("type").asText()).isEqualTo("datasource");
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
        assertThat(vars).extracting(v -> v.path("name").asText())
                .containsExactly("datasource", "cluster", "namespace", "job", "pod", "consumergroup");
        JsonNode group = variable(vars, "consumergroup");
        assertThat(group.at("/query/query").asText()).isEqualTo("label_values(kafka_consumergroup_lag{cluster=~\"$cluster\"}, consumergroup)");
        assertThat(group.at("/current/value").asText()).as("the chart's default consumer group").isEqualTo("hostup-iso-worker");
        for (String name : List.of("cluster", "namespace", "job", "pod")) {
            JsonNode v = variable(vars, name);
            assertThat(v.path("type").asText()).isEqualTo("query");
            assertThat(v.at("/datasource/uid").asText()).isEqualTo("${datasource}");
            assertThat(v.path("includeAll").asBoolean()).isTrue();
        }
        for (String name : List.of("cluster", "namespace", "job", "pod")) {
            assertThat(variable(vars, name).path("allValue").asText()).as("All matches series without the label too").isEqualTo(".*");
        }
        assertThat(variable(vars, "namespace").at("/query/query").asText()).contains("$cluster");
        assertThat(variable(vars, "job").at("/query/query").asText()).contains("$cluster", "$namespace");
        assertThat(variable(vars, "pod").at("/query/query").asText()).contains("$cluster", "$namespace", "$job");
    }

    @Test
    @DisplayName("every dashboard panel queries the ${datasource} variable and filters on cluster, namespace, job and pod")
    void dashboardPanelsUseDatasource() throws Exception {
        List<JsonNode> panels = panels();
        assertThat(panels).hasSizeGreaterThan(10);
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : panels) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique panel id %s", panel.path("id")).isTrue();
            List<JsonNode> targets = elements(panel.path("targets"));
            assertThat(targets).as(panel.path("title").asText()).isNotEmpty();
            assertThat(targets).as(panel.path("title").asText())
                    .anySatisfy(t -> assertThat(t.at("/datasource/uid").asText()).isEqualTo("${datasource}"));
            for (JsonNode target : targets) {
                String expr = target.path("expr").asText();
                if (expr.contains("kafka_consumergroup_lag")) {
                    // kafka-exporter's series carry the exporter's namespace, job and pod, not the worker's.
                    assertThat(expr).as(panel.path("title").asText()).contains("cluster=~\"$cluster\"", "consumergroup=~\"$consumergroup\"")
                            .doesNotContain("$namespace", "$job", "$pod");
                    continue;
                }
                assertThat(expr).as(panel.path("title").asText()).contains("cluster=~\"$cluster\"", "namespace=~\"$namespace\"",
                        "job=~\"$job\"", "pod=~\"$pod\"");
            }
        }
    }

    @Test
    @DisplayName("every panel has one unit, and series of another kind get a unit override that matches them")
    void dashboardUnits() throws Exception {
        for (JsonNode panel : panels()) {
            String title = panel.path("title").asText();
            String unit = panel.at("/fieldConfig/defaults/unit").asText();
            assertThat(unit).as(title).isNotBlank();
            List<String> legends = elements(panel.path("targets")).stream().map(t -> t.path("legendFormat").asText()).toList();
            for (JsonNode override : elements(panel.at("/fieldConfig/overrides"))) {
                assertThat(override.at("/matcher/id").asText()).as(title).isEqualTo("byRegexp");
                String regex = override.at("/matcher/options").asText().replaceAll("^/(.*)/$", "$1");
                assertThat(legends).as("%s: override %s matches a series", title, regex).anyMatch(l -> Pattern.compile(regex).matcher(l).find());
                assertThat(elements(override.path("properties"))).as(title).anyMatch(p -> p.path("id").asText().equals("unit"));
            }
            for (String legend : legends) {
                if (legend.endsWith("(s)")) {
                    assertThat(unitOf(panel, legend)).as("%s: %s is in seconds", title, legend).isEqualTo("s");
                } else if (legend.endsWith("/ s") || legend.endsWith("/s")) {
                    assertThat(unitOf(panel, legend)).as("%s: %s is a rate", title, legend).isIn("reqps", "ops");
                }
            }
        }
    }

    /** The unit Grafana shows a series in: the last matching override's, else the panel's. */
    static String unitOf(JsonNode panel, String legend) {
        String unit = panel.at("/fieldConfig/defaults/unit").asText();
        for (JsonNode override : elements(panel.at("/fieldConfig/overrides"))) {
            String regex = override.at("/matcher/options").asText().replaceAll("^/(.*)/$", "$1");
            if (Pattern.compile(regex).matcher(legend).find()) {
                for (JsonNode p : elements(override.path("properties"))) {
                    if (p.path("id").asText().equals("unit")) {
                        unit = p.path("value").asText();
                    }
                }
            }
        }
        return unit;
    }

    @Test
    @DisplayName("the dashboard covers what an on-call person needs")
    void dashboardCoversTheIssue() throws Exception {
        String exprs = String.join("\n", expressions());
        assertThat(exprs).contains("isoworker_requests_total", "isoworker_jobs_in_flight", "isoworker_jobs_oldest_age_seconds",
                "isoworker_job_duration_seconds_bucket", "isoworker_api_calls_total", "status=\"429\"",
                "isoworker_retry_after_wait_seconds", "isoworker_rate_limit_remaining", "kafka_consumer_fetch_manager_records_lag",
                "jvm_memory_used_bytes", "by (outcome, code)", "histogram_quantile", "status=~\"5..|timeout|io_error\"",
                "isoworker_api_key_hold", "isoworker_ledger_failures_total", "isoworker_ledger_stalled",
                // the lag the lag alert watches, counted once per partition across exporter replicas
                "max by (consumergroup, topic, partition) (kafka_consumergroup_lag{",
                // the rate budget: each instance's share and pace, 429s by instance, calls per job by account
                "isoworker_rate_limit_share", "isoworker_rate_limit_paced_rate", "sum by (pod, endpoint) (rate(isoworker_api_calls_total",
                "sum by (account) (rate(isoworker_job_api_calls_sum",
                // the key-hold panel keeps the account whose key is held
                "max by (pod, account, reason) (isoworker_api_key_hold");
    }

    @Test
    @DisplayName("the dashboard and the alerts only use metric names the worker exposes")
    void metricNamesAreKnown() throws Exception {
        Set<String> used = new TreeSet<>();
        for (String expr : expressions()) {
            used.addAll(metricNames(expr));
        }
        for (JsonNode rule : rules()) {
            used.addAll(metricNames(rule.path("expr").asText()));
        }
        assertThat(used).isNotEmpty().isSubsetOf(KNOWN_METRICS);
    }

    // --------------------------------------------------------------------------------- alerts

    @Test
    @DisplayName("every alert has a severity, summary, description, a for: and a runbook section")
    void alertsAreDocumented() throws Exception {
        Set<String> anchors = runbookAnchors();
        List<JsonNode> rules = rules();
        assertThat(rules).hasSizeGreaterThanOrEqualTo(6);
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            assertThat(name).as("only alerting rules").isNotBlank();
            assertThat(rule.at("/labels/severity").asText()).as(name).isIn("critical", "warning", "info");
            assertThat(rule.at("/annotations/summary").asText()).as(name).isNotBlank();
            assertThat(rule.at("/annotations/description").asText()).as(name).isNotBlank();
            assertThat(rule.path("for").asText()).as(name).matches("[0-9]+[smh]");
            String url = rule.at("/annotations/runbook_url").asText();
            assertThat(url).as(name).startsWith(RUNBOOK_BASE);
            assertThat(anchors).as(name).contains(url.substring(RUNBOOK_BASE.length()));
        }
        assertThat(rules).extracting(r -> r.path("alert").asText()).contains(
                "HostupIsoWorkerApiKeyRejected", "HostupIsoWorkerApiKeyForbidden", "HostupIsoWorkerNoInstanceReady",
                "HostupIsoWorkerHostUpErrors", "HostupIsoWorkerHighFailureRatio", "HostupIsoWorkerRateLimited",
                "HostupIsoWorkerJobsStuckPastDeadline", "HostupIsoWorkerConsumerLagGrowing", "HostupIsoWorkerLedgerStalled",
                "HostupIsoWorkerLedgerRecordsRejected", "HostupIsoWorkerTargetDown", "HostupIsoWorkerMetricsAbsent");
    }

    @Test
    @DisplayName("every alert has a promtool test that checks it before and after its for:")
    void everyAlertIsUnitTested() throws Exception {
        JsonNode tests = YAML.readTree(Rendered.ALERTS_TEST.toFile());
        assertThat(elements(tests.path("rule_files"))).extracting(JsonNode::asText).containsExactly("alerts.yaml");
        for (JsonNode rule : rules()) {
            String name = rule.path("alert").asText();
            List<JsonNode> cases = new ArrayList<>();
            for (JsonNode test : elements(tests.path("tests"))) {
                assertThat(test.path("name").asText()).as("tests are named as sentences").matches("[A-Z][^\\n]+ [a-z][^\\n]+");
                for (JsonNode alertTest : elements(test.path("alert_rule_test"))) {
                    if (alertTest.path("alertname").asText().equals(name)) {
                        cases.add(alertTest);
                    }
                }
            }
            assertThat(cases).as(name + " silent").anyMatch(c -> c.path("exp_alerts").isEmpty());
            assertThat(cases).as(name + " firing").anyMatch(c -> !c.path("exp_alerts").isEmpty());
        }
    }

    @Test
    @DisplayName("the alert tests count requests with the outcome and code labels the worker really emits")
    void alertTestsUseEmittedLabels() throws Exception {
        Set<String> outcomes = Set.of("completed", "failed", "dead_lettered", "duplicate");
        java.lang.reflect.Field known = dev.hostupiso.worker.metrics.WorkerMetrics.class.getDeclaredField("KNOWN_CODES");
        known.setAccessible(true);
        @SuppressWarnings("unchecked")
        Set<String> codes = (Set<String>) known.get(null);
        Pattern label = Pattern.compile("(\\w+)=\"([^\"]*)\"");
        List<String> checked = new ArrayList<>();
        for (JsonNode test : elements(YAML.readTree(Rendered.ALERTS_TEST.toFile()).path("tests"))) {
            for (JsonNode input : elements(test.path("input_series"))) {
                String series = input.path("series").asText();
                if (!series.startsWith("isoworker_requests_total{")) {
                    continue;
                }
                java.util.Map<String, String> labels = new java.util.HashMap<>();
                for (Matcher m = label.matcher(series); m.find(); ) {
                    labels.put(m.group(1), m.group(2));
                }
                assertThat(labels.get("outcome")).as(series).isIn(outcomes);
                assertThat(codes).as(series).contains(labels.get("code"));
                if (labels.get("outcome").equals("dead_lettered")) {
                    assertThat(labels.get("code")).as("the consumer counts every dead letter as poison: %s", series).isEqualTo("poison");
                }
                if (!labels.get("outcome").equals("failed")) {
                    assertThat(labels.get("code")).as(series).isIn("none", "poison");
                }
                checked.add(series);
            }
        }
        assertThat(checked).hasSizeGreaterThanOrEqualTo(5);
    }

    // ----------------------------------------------------------------------------- Dockerfile

    @Test
    @DisplayName("the Dockerfile runs as non-root, exposes 8080, has no HEALTHCHECK and copies the four quarkus-app layers")
    void dockerfile() throws Exception {
        List<String> lines = dockerfileLines();
        assertThat(lines).noneMatch(l -> l.toUpperCase(Locale.ROOT).startsWith("HEALTHCHECK"));
        assertThat(lines).anyMatch(l -> l.matches("EXPOSE\\s+8080"));
        String user = lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow().substring(5).strip();
        assertThat(user.split(":")[0]).as("numeric non-root USER (runAsNonRoot can verify it)").matches("[1-9][0-9]*");
        assertThat(String.join("\n", lines)).contains("MaxRAMPercentage");
        List<String> image = finalStage(lines);
        List<String> copies = image.stream().filter(l -> l.startsWith("COPY ") && !l.contains("--from")).toList();
        assertThat(copies).hasSize(4);
        assertThat(String.join("\n", copies)).contains("target/quarkus-app/lib/", "target/quarkus-app/*.jar",
                "target/quarkus-app/app/", "target/quarkus-app/quarkus/");
        List<String> ignore = Files.readAllLines(DOCKERIGNORE).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignore.get(0)).isEqualTo("*");
        assertThat(ignore.subList(1, ignore.size()))
                .allMatch(l -> l.startsWith("!target/quarkus-app") || l.startsWith("!target/aot-training")
                        || l.equals("target/quarkus-app/app.aot"))
                .contains("!target/aot-training/*");
    }

    @Test
    @DisplayName("the image's AOT cache is trained on the image's own JDK, with the options the worker runs with, and used by the entrypoint")
    void dockerfileAotCache() throws Exception {
        List<String> lines = dockerfileLines();
        List<String> froms = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(froms).as("a training stage and the image, on the same base").hasSize(2)
                .allMatch(l -> l.startsWith("FROM ${BASE_IMAGE}"));
        assertThat(lines).anyMatch(l -> l.matches("ARG BASE_IMAGE=eclipse-temurin:(2[5-9]|[3-9][0-9])[-.].*"));
        String training = String.join(" ", lines.subList(0, lines.indexOf(froms.get(1)))).replace("\\ ", " ")
                .replaceAll("\\s+", " ");
        assertThat(training).contains("dev.hostupiso.worker.aot.AotTrainingMain /deployments/quarkus-run.jar /deployments/app.aot");
        assertThat(training).as("the training run is its own jar (src/aot-training), not the build's test classes")
                .contains("-cp \"/aot-training/aot-training.jar:/aot-training/lib/*\"")
                .doesNotContain("test-classes", "/aot-training/classes");
        List<String> image = finalStage(lines);
        String javaOpts = image.stream().filter(l -> l.startsWith("ENV JAVA_OPTS=")).findFirst().orElseThrow()
                .replaceAll("^ENV JAVA_OPTS=\"([^\"]*)\".*$", "$1");
        String trainedWith = training.substring(training.indexOf("/deployments/app.aot") + "/deployments/app.aot".length())
                .strip().replaceAll("\\s+", " ");
        assertThat(trainedWith).as("worker options of the training run = JAVA_OPTS of the image").isEqualTo(javaOpts);
        assertThat(image).contains("COPY --from=aot-training /deployments/app.aot /deployments/app.aot");
        assertThat(image.stream().filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow())
                .contains("exec java -XX:AOTCache=/deployments/app.aot ${JAVA_OPTS} -jar /deployments/quarkus-run.jar");
        assertThat(Files.readAllLines(DOCKERIGNORE)).as("a cache trained elsewhere stays out of the context")
                .contains("target/quarkus-app/app.aot");
    }

    @Test
    @DisplayName("the base image is pinned by digest and the image carries the OCI labels, its version from a build argument")
    void dockerfileProvenance() throws Exception {
        List<String> lines = dockerfileLines();
        String base = lines.stream().filter(l -> l.startsWith("ARG BASE_IMAGE=")).findFirst().orElseThrow();
        assertThat(base).as("one pinned JDK for the training stage and the image").matches("ARG BASE_IMAGE=[^@\\s]+:[^@\\s]+@sha256:[0-9a-f]{64}");
        List<String> image = finalStage(lines);
        String labels = String.join(" ", image.subList(image.indexOf(image.stream().filter(l -> l.startsWith("LABEL "))
                .findFirst().orElseThrow()), image.size()));
        for (String key : List.of("title", "description", "source", "licenses", "version", "revision", "base.name")) {
            assertThat(labels).contains("org.opencontainers.image." + key + "=\"");
        }
        assertThat(labels).contains("org.opencontainers.image.version=\"${VERSION}\"",
                "org.opencontainers.image.licenses=\"${LICENSES}\"", "org.opencontainers.image.base.name=\"${BASE_IMAGE}\"");
        assertThat(image).as("build arguments are visible in the stage that labels with them")
                .contains("ARG BASE_IMAGE").anyMatch(l -> l.startsWith("ARG VERSION="))
                .anyMatch(l -> l.startsWith("ARG REVISION=")).anyMatch(l -> l.startsWith("ARG LICENSES="));
    }

    private static List<String> dockerfileLines() throws IOException {
        return Files.readAllLines(DOCKERFILE).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    private static List<String> finalStage(List<String> lines) {
        int last = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("FROM ")) {
                last = i;
            }
        }
        return lines.subList(last, lines.size());
    }

    // -------------------------------------------------------------------------------- helpers

    static JsonNode variable(List<JsonNode> vars, String name) {
        return vars.stream().filter(v -> v.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no dashboard variable " + name));
    }

    /** All non-row panels, including panels nested in collapsed rows. */
    static List<JsonNode> panels() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : elements(JSON.readTree(DASHBOARD.toFile()).path("panels"))) {
            if ("row".equals(panel.path("type").asText())) {
                out.addAll(elements(panel.path("panels")));
            } else {
                out.add(panel);
            }
        }
        return out;
    }

    static List<String> expressions() throws Exception {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : panels()) {
            elements(panel.path("targets")).forEach(t -> exprs.add(t.path("expr").asText()));
        }
        return exprs;
    }

    static List<JsonNode> rules() throws Exception {
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode group : elements(YAML.readTree(ALERTS.toFile()).path("groups"))) {
            rules.addAll(elements(group.path("rules")));
        }
        return rules;
    }

    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        String withoutStrings = expr.replaceAll("\"[^\"]*\"", "\"\"");
        Matcher m = METRIC.matcher(withoutStrings);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
    static Set<String> runbookAnchors() throws Exception {
        Set<String> anchors = new TreeSet<>();
        for (String line : Files.readAllLines(RUNBOOKS)) {
            if (line.startsWith("#")) {
                String text = line.replaceFirst("^#+\\s*", "").strip();
                anchors.add(text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }

}
