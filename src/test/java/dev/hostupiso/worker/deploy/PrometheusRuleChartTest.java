package dev.hostupiso.worker.deploy;

import static dev.hostupiso.worker.deploy.Rendered.CHART;
import static dev.hostupiso.worker.deploy.Rendered.documents;
import static dev.hostupiso.worker.deploy.Rendered.elements;
import static dev.hostupiso.worker.deploy.Rendered.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The chart's PrometheusRule, adapted through values: selectors, runbooks, labels, thresholds, overrides, extra rules. */
class PrometheusRuleChartTest {

    static final String RELEASE = "iso";
    static final String NAMESPACE = "workers";
    static final Path PLAIN_VALUES = Rendered.DEPLOY.resolve("prometheus/plain-values.yaml");

    /** Renders the chart with {@code values} (YAML) on top of the defaults and the PrometheusRule switched on. */
    static String render(String values) {
        try {
            Path dir = Files.createDirectories(Rendered.ROOT.resolve("target/prometheusrule-values"));
            Path file = Files.createTempFile(dir, "values", ".yaml");
            Files.writeString(file, "metrics: {prometheusRule: {enabled: true}}\n");
            Path extra = Files.createTempFile(dir, "values", ".yaml");
            Files.writeString(extra, values);
            // The renderable copy (helm-java reports Kubernetes 1.20) with the values every install needs.
            return new Helm(HelmChartTest.RENDERABLE_CHART).template().withName(RELEASE).withNamespace(NAMESPACE)
                    .withValuesFile(HelmChartTest.MINIMAL).withValuesFile(file).withValuesFile(extra).call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode prometheusRule(String values) {
        return single(documents(render(values)), "PrometheusRule");
    }

    /** Alert name → rule, of the chart's only group. */
    static Map<String, JsonNode> alerts(JsonNode prometheusRule) {
        assertThat(elements(prometheusRule.at("/spec/groups"))).hasSize(1);
        Map<String, JsonNode> byName = new TreeMap<>();
        for (JsonNode rule : elements(prometheusRule.at("/spec/groups/0/rules"))) {
            byName.put(rule.path("alert").asText(rule.path("record").asText()), rule);
        }
        return byName;
    }

    /** The rendering deploy/prometheus/alerts.yaml must equal: the chart with deploy/prometheus/plain-values.yaml. */
    static JsonNode plainRendering() {
        try {
            return prometheusRule(Files.readString(PLAIN_VALUES)).path("spec");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("by default every worker series and scrape target is selected by the chart's Service name and the release namespace")
    void defaultSelectorsFollowTheRelease() {
        Map<String, JsonNode> alerts = alerts(prometheusRule(""));
        String worker = "job=\"iso-hostup-iso-worker\", namespace=\"workers\"";
        for (JsonNode rule : alerts.values()) {
            String expr = rule.path("expr").asText();
            for (String metric : List.of("isoworker_", "up{")) {
                int at = expr.indexOf(metric);
                while (at >= 0) {
                    String selector = expr.substring(at, expr.indexOf('}', at) + 1);
                    assertThat(selector).as(rule.path("alert").asText()).contains(worker);
                    at = expr.indexOf(metric, at + 1);
                }
            }
        }
        assertThat(alerts.get("HostupIsoWorkerNoInstanceReady").path("expr").asText())
                .contains("kube_deployment_status_replicas_available{namespace=\"workers\", deployment=\"iso-hostup-iso-worker\"}");
        assertThat(alerts.get("HostupIsoWorkerConsumerLagGrowing").path("expr").asText())
                .contains("kafka_consumergroup_lag{consumergroup=\"hostup-iso-worker\"}");
        assertThat(alerts.get("HostupIsoWorkerMetricsAbsent").path("expr").asText())
                .contains("absent(up{" + worker + "} == 1)");
    }

    @Test
    @DisplayName("fullnameOverride and kafka.groupId carry over to the Deployment, job and consumer-group matchers")
    void fullnameOverride() {
        Map<String, JsonNode> alerts = alerts(prometheusRule("fullnameOverride: isow\nkafka: {groupId: isow-group}\n"));
        assertThat(alerts.get("HostupIsoWorkerNoInstanceReady").path("expr").asText())
                .contains("{namespace=\"workers\", deployment=\"isow\"}").doesNotContain("hostup-iso-worker");
        assertThat(alerts.get("HostupIsoWorkerApiKeyRejected").path("expr").asText())
                .isEqualTo("max by (namespace, pod) (isoworker_api_key_rejected{job=\"isow\", namespace=\"workers\"}) > 0");
        assertThat(alerts.get("HostupIsoWorkerConsumerLagGrowing").path("expr").asText()).contains("{consumergroup=\"isow-group\"}");
    }

    @Test
    @DisplayName("selectors, runbook base URL, alert labels, thresholds, overrides and extra rules come from values")
    void adaptableWithoutAFork() {
        JsonNode rule = prometheusRule("""
                metrics:
                  prometheusRule:
                    selectors:
                      worker: 'cluster="eu-1", job="iso-worker"'
                      deployment: 'cluster="eu-1", deployment=~"iso-worker-.*"'
                      consumerGroupLag: 'consumergroup="iso", topic="requests"'
                    runbookBaseUrl: https://wiki.example.org/iso-runbooks/
                    alertLabels: {team: iso, cluster: eu-1}
                    thresholds: {apiErrorRatio: 0.25, apiErrorMinCalls: 30, failureRatio: 0.05, failureMinCount: 12, consumerLag: 25000}
                    requesterCodes: [invalid_request, vps_not_found]
                    alerts:
                      HostupIsoWorkerDeadLettering: {enabled: false}
                      HostupIsoWorkerMetricsAbsent: {severity: critical, for: 30m, labels: {pager: night}}
                    extraRules:
                      - alert: IsoWorkerCustom
                        expr: vector(1)
                        annotations:
                          summary: '{{ $labels.pod }} custom'
                """);
        Map<String, JsonNode> alerts = alerts(rule);
        assertThat(alerts).doesNotContainKey("HostupIsoWorkerDeadLettering").containsKey("IsoWorkerCustom");
        assertThat(alerts.get("IsoWorkerCustom").at("/annotations/summary").asText()).isEqualTo("{{ $labels.pod }} custom");
        assertThat(alerts.get("IsoWorkerCustom").path("labels").isMissingNode()).as("extra rules are passed as given").isTrue();

        JsonNode absent = alerts.get("HostupIsoWorkerMetricsAbsent");
        assertThat(absent.path("for").asText()).isEqualTo("30m");
        assertThat(Rendered.JSON.convertValue(absent.path("labels"), Map.class))
                .isEqualTo(Map.of("severity", "critical", "team", "iso", "cluster", "eu-1", "pager", "night"));
        assertThat(absent.path("expr").asText()).contains("absent(up{cluster=\"eu-1\", job=\"iso-worker\"} == 1)")
                .contains("kube_deployment_status_replicas_available{cluster=\"eu-1\", deployment=~\"iso-worker-.*\"}");

        String errors = alerts.get("HostupIsoWorkerHostUpErrors").path("expr").asText();
        assertThat(errors).contains(") > 0.25\n").contains(">= 30\n")
                .contains("isoworker_api_calls_total{cluster=\"eu-1\", job=\"iso-worker\", status=~\"5..|timeout|io_error\"}[10m]");
        JsonNode failure = alerts.get("HostupIsoWorkerHighFailureRatio");
        assertThat(failure.path("expr").asText()).contains(") > 0.05\n").contains(">= 12\n")
                .contains("outcome=\"failed\", code!~\"invalid_request|vps_not_found\"}").doesNotContain("dead_lettered");
        assertThat(failure.at("/annotations/summary").asText()).isEqualTo("More than 5% of ISO download requests fail.");
        assertThat(alerts.get("HostupIsoWorkerConsumerLagGrowing").path("expr").asText())
                .contains("kafka_consumergroup_lag{consumergroup=\"iso\", topic=\"requests\"})\n  ) > 25000");

        for (JsonNode alert : alerts.values()) {
            if (alert.path("alert").asText().startsWith("HostupIsoWorker")) {
                assertThat(alert.at("/labels/team").asText()).isEqualTo("iso");
                assertThat(alert.at("/annotations/runbook_url").asText())
                        .isEqualTo("https://wiki.example.org/iso-runbooks#" + alert.path("alert").asText().toLowerCase(java.util.Locale.ROOT));
            }
        }
    }

    @Test
    @DisplayName("without overrides each alert keeps its own severity and the default runbook")
    void defaultsKeepSeverities() {
        Map<String, JsonNode> alerts = alerts(prometheusRule(""));
        assertThat(alerts.get("HostupIsoWorkerApiKeyRejected").at("/labels")).hasToString("{\"severity\":\"critical\"}");
        assertThat(alerts.get("HostupIsoWorkerDeadLettering").at("/labels/severity").asText()).isEqualTo("info");
        assertThat(alerts.get("HostupIsoWorkerHostUpErrors").at("/annotations/runbook_url").asText())
                .isEqualTo(DeployFilesTest.RUNBOOK_BASE + "hostupisoworkerhostuperrors");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "metrics: {prometheusRule: {selectors: {worker: '{job=\"x\"}'}}}",
            "metrics: {prometheusRule: {selectors: {worker: 'job'}}}",
            "metrics: {prometheusRule: {thresholds: {apiErrorRatio: 50}}}",
            "metrics: {prometheusRule: {thresholds: {apiErrorMinCalls: 0}}}",
            "metrics: {prometheusRule: {thresholds: {failureMinCount: 0}}}",
            "metrics: {prometheusRule: {requesterCodes: ['invalid request']}}",
            "metrics: {prometheusRule: {alerts: {HostupIsoWorkerDeadLettering: {disabled: true}}}}",
            "metrics: {prometheusRule: {alerts: {HostupIsoWorkerDeadLettering: {for: soon}}}}",
            "metrics: {prometheusRule: {runbookBaseUrl: 'wiki/runbooks'}}",
            "metrics: {prometheusRule: {extraRules: [{alert: NoExpr}]}}"})
    @DisplayName("the schema rejects values that would render broken rules")
    void schemaRejects(String values) {
        assertThatThrownBy(() -> render(values)).hasMessageContaining("values don't meet the specifications of the schema");
    }
}
