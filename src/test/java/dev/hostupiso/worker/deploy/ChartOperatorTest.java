package dev.hostupiso.worker.deploy;

import static dev.hostupiso.worker.deploy.ChartDocs.configMapData;
import static dev.hostupiso.worker.deploy.ChartDocs.container;
import static dev.hostupiso.worker.deploy.ChartDocs.valuesFile;
import static dev.hostupiso.worker.deploy.HelmChartTest.template;
import static dev.hostupiso.worker.deploy.Rendered.CHART;
import static dev.hostupiso.worker.deploy.Rendered.YAML;
import static dev.hostupiso.worker.deploy.Rendered.documents;
import static dev.hostupiso.worker.deploy.Rendered.elements;
import static dev.hostupiso.worker.deploy.Rendered.ofKind;
import static dev.hostupiso.worker.deploy.Rendered.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** What an operator sets next: ci/ files linted, images and pull secrets, extra objects, monitors, tests, OpenShift, KEDA, teams. */
class ChartOperatorTest {

    static Stream<Path> ciValues() throws IOException {
        try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    /**
     * {@code helm lint --strict --values ci/<file>}: helm-java's lint takes no values file, so the file is
     * merged over values.yaml in a copy of the chart (lists replaced, maps merged, as Helm does).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ciValues")
    @DisplayName("helm lint --strict passes with every ci/ values file")
    void lintStrictWithEachCiFile(Path values) throws IOException {
        Path chart = HelmChartTest.copyWithoutKubeVersion(CHART);
        JsonNode merged = YAML.readerForUpdating(YAML.readTree(chart.resolve("values.yaml").toFile()))
                .readValue(values.toFile());
        Files.writeString(chart.resolve("values.yaml"), YAML.writeValueAsString(merged));
        LintResult result = new Helm(chart).lint().strict().call();
        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    @DisplayName("global.imageRegistry wins over image.registry, and global.imagePullSecrets join imagePullSecrets")
    void globalImageSettings() {
        List<JsonNode> docs = documents(template(t -> t.set("global.imageRegistry", "mirror.example.com")
                .set("global.imagePullSecrets[0]", "mirror-pull").set("imagePullSecrets[0].name", "regcred")
                .set("imagePullSecrets[1].name", "mirror-pull")));
        assertThat(container(docs).path("image").asText()).isEqualTo("mirror.example.com/hostup-iso-worker:0.1.0");
        assertThat(elements(single(docs, "Deployment").at("/spec/template/spec/imagePullSecrets")))
                .extracting(s -> s.path("name").asText()).containsExactly("mirror-pull", "regcred");
        assertThat(container(documents(template(t -> t))).path("image").asText()).isEqualTo("registry.example.com/hostup-iso-worker:0.1.0");
    }

    @Test
    @DisplayName("extraDeploy renders objects and YAML strings against the release")
    void extraDeploy() {
        List<JsonNode> docs = documents(template(t -> t.withValuesFile(CHART.resolve("ci/openshift-values.yaml"))));
        assertThat(ofKind(docs, "ConfigMap")).extracting(c -> c.at("/metadata/name").asText())
                .contains("iso-env", "iso-notes");
    }

    @Test
    @DisplayName("extraEnvVars, extraEnvVarsCM and extraEnvVarsSecret (bitnami's names) reach the container")
    void bitnamiEnvNames() {
        List<JsonNode> docs = documents(template(t -> t.withValuesFile(CHART.resolve("ci/openshift-values.yaml"))));
        JsonNode c = container(docs);
        assertThat(elements(c.path("env"))).extracting(e -> e.path("name").asText()).contains("QUARKUS_LOG_CONSOLE_JSON_ENABLED");
        assertThat(elements(c.path("envFrom"))).extracting(JsonNode::toString).containsExactly(
                "{\"configMapRef\":{\"name\":\"iso-hostup-iso-worker\"}}", "{\"configMapRef\":{\"name\":\"iso-env\"}}",
                "{\"secretRef\":{\"name\":\"iso-env-secret\"}}");
    }

    @Test
    @DisplayName("the ServiceMonitor carries honorLabels, jobLabel, targetLabels and TLS; the alerts select the job it produces")
    void serviceMonitorOptions() {
        List<JsonNode> docs = documents(template(t -> t.withValuesFile(HelmChartTest.ALL_ON)));
        JsonNode sm = single(docs, "ServiceMonitor");
        assertThat(sm.at("/spec/endpoints/0/honorLabels").asBoolean()).isTrue();
        assertThat(sm.at("/spec/endpoints/0/scheme").asText()).isEqualTo("https");
        assertThat(sm.at("/spec/endpoints/0/tlsConfig/serverName").asText()).isEqualTo("hostup-iso-worker");
        assertThat(sm.at("/spec/jobLabel").asText()).isEqualTo("app.kubernetes.io/name");
        assertThat(elements(sm.at("/spec/targetLabels"))).extracting(JsonNode::asText).containsExactly("app.kubernetes.io/instance");
        assertThat(elements(sm.at("/spec/podTargetLabels"))).extracting(JsonNode::asText).containsExactly("app.kubernetes.io/version");
        assertThat(single(docs, "PrometheusRule").at("/spec/groups/0/rules/0/expr").asText())
                .as("job = the Service's app.kubernetes.io/name").contains("job=\"hostup-iso-worker\", namespace=\"workers\"");
        assertThatThrownBy(() -> template(t -> t.set("metrics.serviceMonitor.enabled", "true")
                .set("metrics.serviceMonitor.jobLabel", "no-such-label").set("metrics.prometheusRule.enabled", "true")))
                .hasMessageContaining("set metrics.prometheusRule.selectors.worker");
    }

    @Test
    @DisplayName("a PodMonitor replaces the ServiceMonitor (never both), and the alerts select its <namespace>/<name> job")
    void podMonitor() {
        List<JsonNode> docs = documents(template(t -> t.withValuesFile(CHART.resolve("ci/openshift-values.yaml"))));
        assertThat(ofKind(docs, "ServiceMonitor")).isEmpty();
        JsonNode pm = single(docs, "PodMonitor");
        assertThat(pm.at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo("http");
        assertThat(pm.at("/spec/podMetricsEndpoints/0/path").asText()).isEqualTo("/q/metrics");
        assertThat(pm.at("/spec/selector/matchLabels")).isEqualTo(single(docs, "Deployment").at("/spec/selector/matchLabels"));
        assertThat(single(docs, "PrometheusRule").at("/spec/groups/0/rules/0/expr").asText())
                .contains("job=\"workers/iso-hostup-iso-worker\", namespace=\"workers\"");
        assertThatThrownBy(() -> template(t -> t.set("metrics.serviceMonitor.enabled", "true").set("metrics.podMonitor.enabled", "true")))
                .hasMessageContaining("exclusive");
    }

    @Test
    @DisplayName("the helm test hook waits for the worker's readiness through its Service, hardened like the worker")
    void helmTestHook() throws IOException {
        Path source = CHART.resolve("templates/tests/test-ready.yaml");
        assertThat(Files.readString(source)).contains("helm.sh/hook: test");
        // helm-java's template leaves hooks out: render a copy of the chart whose test pod is no hook.
        Path chart = HelmChartTest.copyWithoutKubeVersion(CHART);
        Path copy = chart.resolve("templates/tests/test-ready.yaml");
        Files.writeString(copy, Files.readString(copy).replace("helm.sh/hook: test", "hook-under-test: test"));
        List<JsonNode> docs = documents(new Helm(chart).template().withName(HelmChartTest.RELEASE)
                .withNamespace(HelmChartTest.NAMESPACE).withValuesFile(HelmChartTest.MINIMAL).call());
        JsonNode pod = single(docs, "Pod");
        assertThat(pod.at("/spec/restartPolicy").asText()).isEqualTo("Never");
        List<String> command = elements(pod.at("/spec/containers/0/command")).stream().map(JsonNode::asText).toList();
        assertThat(command).startsWith("curl", "--fail").last().isEqualTo("http://iso-hostup-iso-worker.workers.svc:8080/q/health/ready");
        assertThat(pod.at("/spec/containers/0/image").asText()).isEqualTo("docker.io/curlimages/curl:8.11.1");
        assertThat(pod.at("/spec/containers/0/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(pod.at("/spec/automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(pod.at("/metadata/labels/app.kubernetes.io~1name").asText()).isEqualTo("hostup-iso-worker-test");
        assertThat(documents(new Helm(chart).template().withName(HelmChartTest.RELEASE).withValuesFile(HelmChartTest.MINIMAL)
                .set("tests.enabled", "false").call())).noneMatch(d -> d.path("kind").asText().equals("Pod"));
    }

    @Test
    @DisplayName("OpenShift's restricted-v2 assigns the UID and fsGroup: adaptSecurityContext=force or null values leave them out")
    void openShiftSecurityContext() {
        for (List<JsonNode> docs : List.of(
                documents(template(t -> t.set("global.compatibility.openshift.adaptSecurityContext", "force"))),
                documents(template(t -> t.withValuesFile(valuesFile("""
                        podSecurityContext: {runAsUser: null, runAsGroup: null, fsGroup: null}
                        securityContext: {runAsUser: null, runAsGroup: null}
                        """)))))) {
            JsonNode pod = single(docs, "Deployment").at("/spec/template/spec");
            for (String id : List.of("runAsUser", "runAsGroup", "fsGroup")) {
                assertThat(pod.path("securityContext").has(id)).as("pod " + id).isFalse();
                assertThat(container(docs).path("securityContext").has(id)).as("container " + id).isFalse();
            }
            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
            assertThat(container(docs).at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        }
        JsonNode auto = single(documents(template(t -> t)), "Deployment").at("/spec/template/spec/securityContext");
        assertThat(auto.path("runAsUser").asInt()).as("auto, on a cluster without security.openshift.io").isEqualTo(185);
        assertThat(auto.path("fsGroup").asInt()).isEqualTo(185);
    }

    @Test
    @DisplayName("KEDA: annotations (to pause it), advanced HPA settings, and a lag trigger per team request topic")
    void kedaOptions() {
        JsonNode so = single(documents(template(t -> t.withValuesFile(HelmChartTest.ALL_ON))), "ScaledObject");
        assertThat(so.at("/metadata/annotations/autoscaling.keda.sh~1paused").asText()).isEqualTo("false");
        assertThat(so.at("/spec/advanced/restoreToOriginalReplicaCount").asBoolean()).isTrue();
        assertThat(so.at("/spec/advanced/horizontalPodAutoscalerConfig/behavior/scaleDown/stabilizationWindowSeconds").asInt())
                .isEqualTo(600);
        assertThat(elements(so.at("/spec/triggers"))).extracting(t -> t.at("/metadata/topic").asText())
                .containsExactly("iso-download-requests", "team-a-iso-requests", "team-a-iso-requests-bulk");
    }

    @Test
    @DisplayName("teams with their own request and outcome topics render HOSTUP_ACCOUNTS_<NAME>_TOPICS and _EVENTS_TOPIC")
    void teamTopics() {
        assertThat(configMapData(documents(template(t -> t.withValuesFile(HelmChartTest.ALL_ON)))))
                .containsEntry("HOSTUP_ACCOUNTS_TEAM_A_TOPICS", "team-a-iso-requests,team-a-iso-requests-bulk")
                .containsEntry("HOSTUP_ACCOUNTS_TEAM_A_EVENTS_TOPIC", "team-a-iso-events")
                .containsEntry("HOSTUP_ACCOUNTS_TEAM_B_EVENTS_TOPIC", "team-b-iso-events")
                .doesNotContainKey("HOSTUP_ACCOUNTS_TEAM_B_TOPICS");
        String twoTeams = """
                hostup:
                  accounts:
                    - {name: a, existingSecret: s, topics: [shared]}
                    - {name: b, existingSecret: s, topics: [shared]}
                """;
        assertThatThrownBy(() -> template(t -> t.withValuesFile(valuesFile(twoTeams))))
                .hasMessageContaining("topic \"shared\" is listed for both \"a\" and \"b\"");
        assertThatThrownBy(() -> template(t -> t.withValuesFile(valuesFile(
                "hostup: {accounts: [{name: a, existingSecret: s, topics: [iso-download-requests]}]}\n"))))
                .hasMessageContaining("is kafka.topics.requests");
    }

    @Test
    @DisplayName("NOTES.txt links the runbooks from metrics.prometheusRule.runbookBaseUrl")
    void notesLinkTheConfiguredRunbooks() {
        String notes = HelmInstallTest.install(i -> i.withValuesFile(HelmChartTest.MINIMAL)
                .set("metrics.prometheusRule.runbookBaseUrl", "https://wiki.example.org/iso/runbooks/")).getOutput();
        assertThat(notes).contains("Runbooks: https://wiki.example.org/iso/runbooks")
                .contains("https://wiki.example.org/iso/runbooks#<alert name in lower case>")
                .contains("helm test iso").doesNotContain("github.com");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            topics empty                 | hostup: {accounts: [{name: a, existingSecret: s, topics: []}]}
            topic with a space           | hostup: {accounts: [{name: a, existingSecret: s, topics: [bad topic]}]}
            topics not a list            | hostup: {accounts: [{name: a, existingSecret: s, topics: requests-a}]}
            events topic with a slash    | hostup: {accounts: [{name: a, existingSecret: s, eventsTopic: a/b}]}
            unknown team key             | hostup: {accounts: [{name: a, existingSecret: s, topic: [x]}]}
            openshift mode               | global: {compatibility: {openshift: {adaptSecurityContext: maybe}}}
            pull secret without name     | global: {imagePullSecrets: [{secret: x}]}
            root UID                     | podSecurityContext: {runAsUser: 0}
            scrape scheme                | metrics: {serviceMonitor: {scheme: ftp}}
            pod monitor key              | metrics: {podMonitor: {enabled: true, interval: 5s}}
            origin port                  | networkPolicy: {downloadOrigins: {ports: [0]}}
            origin peers empty           | networkPolicy: {downloadOrigins: {to: []}}
            extra egress not a list      | networkPolicy: {extraEgress: {to: []}}
            keda advanced key            | keda: {advanced: {pollingInterval: 5}}
            keda annotation value        | keda: {annotations: {autoscaling.keda.sh/paused: true}}
            test timeout                 | tests: {timeoutSeconds: 1}
            extraDeploy item             | extraDeploy: [1]
            """)
    void schemaRejects(String what, String values) {
        assertThatThrownBy(() -> template(t -> t.withValuesFile(valuesFile(values + "\n"))))
                .as(what).hasMessageContaining("values don't meet the specifications of the schema");
    }
}
