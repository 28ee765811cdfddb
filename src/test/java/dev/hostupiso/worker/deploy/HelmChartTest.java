package dev.hostupiso.worker.deploy;

import static dev.hostupiso.worker.deploy.ChartDocs.configMapData;
import static dev.hostupiso.worker.deploy.ChartDocs.container;
import static dev.hostupiso.worker.deploy.ChartDocs.defaultInt;
import static dev.hostupiso.worker.deploy.ChartDocs.env;
import static dev.hostupiso.worker.deploy.ChartDocs.envNames;
import static dev.hostupiso.worker.deploy.ChartDocs.escape;
import static dev.hostupiso.worker.deploy.ChartDocs.fieldNames;
import static dev.hostupiso.worker.deploy.ChartDocs.flatten;
import static dev.hostupiso.worker.deploy.ChartDocs.kinds;
import static dev.hostupiso.worker.deploy.ChartDocs.ports;
import static dev.hostupiso.worker.deploy.Rendered.CHART;
import static dev.hostupiso.worker.deploy.Rendered.ROOT;
import static dev.hostupiso.worker.deploy.Rendered.DASHBOARD;
import static dev.hostupiso.worker.deploy.Rendered.ALERTS;
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
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Lints and renders the Helm chart with the real helm (helm-java bundles it) and checks the
 * rendered objects. No cluster is needed.
 */
class HelmChartTest {

    /**
     * The environment variables the worker reads: the contract the chart must stay within. Read from
     * docs/configuration.md (see {@link WorkerEnvContract}), so chart and documentation cannot drift.
     */
    static final WorkerEnvContract CONTRACT = WorkerEnvContract.read(Rendered.ROOT.resolve("docs/configuration.md"));
    static final Set<String> WORKER_ENV = CONTRACT.names();

    /** Variables that carry secrets: only ever from a Secret, never a ConfigMap or a literal. */
    static final Set<String> SECRET_ENV = Set.of("HOSTUP_API_TOKEN", "KAFKA_SASL_JAAS_CONFIG",
            "KAFKA_SSL_TRUSTSTORE_PASSWORD", "KAFKA_SSL_KEYSTORE_PASSWORD",
            "HOSTUP_API_PROXY_USERNAME", "HOSTUP_API_PROXY_PASSWORD");

    /** A team account's own topics: one pair of variables per account, named after it, so not in the fixed table. */
    static final java.util.regex.Pattern TEAM_TOPIC_ENV = java.util.regex.Pattern.compile("^HOSTUP_ACCOUNTS_[A-Z0-9_]+_(TOPICS|EVENTS_TOPIC)$");

    static final String RELEASE = "iso";
    static final String NAMESPACE = "workers";
    static final String FULLNAME = "iso-hostup-iso-worker";
    static final Path ALL_ON = CHART.resolve("ci/all-on-values.yaml");
    static final Path HPA = CHART.resolve("ci/hpa-values.yaml");
    /**
     * The values every install must choose (the chart refuses to render without them, see
     * {@link HelmInstallTest}). {@link #template} passes this file first, so "defaults" means the
     * chart's defaults plus these; later value files and {@code set}s override it.
     */
    static final Path MINIMAL = CHART.resolve("ci/minimal-values.yaml");
    /**
     * The chart as {@link #template} renders it. helm-java's embedded Helm has no {@code --kube-version}
     * and presents itself as Kubernetes v1.20.0, which the chart's {@code kubeVersion} refuses (proved in
     * {@link HelmInstallTest}); this copy drops that one line of Chart.yaml and is otherwise the chart.
     */
    static final Path RENDERABLE_CHART = copyWithoutKubeVersion(CHART);

    static List<JsonNode> defaults;
    static List<JsonNode> allOn;

    @BeforeAll
    static void render() {
        defaults = documents(template(t -> t));
        allOn = documents(template(t -> t.withValuesFile(ALL_ON)));
    }

    /** {@code helm template} with the {@link #MINIMAL} values and then the given options. */
    static String template(UnaryOperator<TemplateCommand> options) {
        return bareTemplate(t -> options.apply(t.withValuesFile(MINIMAL)));
    }

    /** {@code helm template} with only the given options: the chart's own defaults underneath. */
    static String bareTemplate(UnaryOperator<TemplateCommand> options) {
        return options.apply(new Helm(RENDERABLE_CHART).template().withName(RELEASE).withNamespace(NAMESPACE)).call();
    }

    static Path copyWithoutKubeVersion(Path chart) {
        try {
            Path copy = Files.createTempDirectory(ROOT.resolve("target"), "helm-").resolve(chart.getFileName());
            try (Stream<Path> files = Files.walk(chart)) {
                for (Path source : files.toList()) {
                    Files.copy(source, copy.resolve(chart.relativize(source).toString()));
                }
            }
            Path chartYaml = copy.resolve("Chart.yaml");
            String withoutKubeVersion = Files.readString(chartYaml).replaceAll("(?m)^kubeVersion:.*\\R", "");
            assertThat(withoutKubeVersion).doesNotContain("kubeVersion:");
            Files.writeString(chartYaml, withoutKubeVersion);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------ lint

    @Test
    @DisplayName("helm lint --strict passes without warnings")
    void lintStrict() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    // ------------------------------------------------------------------------------ rendering

    @Test
    @DisplayName("defaults render the core objects and no optional ones except the PDB")
    void defaultsRenderCoreObjects() {
        assertThat(kinds(defaults)).containsExactlyInAnyOrder(
                "ServiceAccount", "Secret", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget");
        assertThat(single(defaults, "Deployment").at("/spec/replicas").asInt()).isEqualTo(2);
    }

    @Test
    @DisplayName("every toggle on renders every optional object")
    void allTogglesRenderEverything() {
        assertThat(kinds(allOn)).containsExactlyInAnyOrder(
                "ServiceAccount", "Secret", "ConfigMap", "ConfigMap", "Service", "Deployment",
                "PodDisruptionBudget", "ServiceMonitor", "PrometheusRule", "ScaledObject", "NetworkPolicy");
        assertThat(single(allOn, "Deployment").at("/spec/replicas").isMissingNode())
                .as("replicas are left to KEDA").isTrue();
        List<JsonNode> hpa = documents(template(t -> t.withValuesFile(HPA)));
        assertThat(single(hpa, "HorizontalPodAutoscaler").at("/spec/maxReplicas").asInt()).isEqualTo(6);
        assertThat(single(hpa, "Deployment").at("/spec/replicas").isMissingNode()).isTrue();
    }

    @Test
    @DisplayName("every object carries the app.kubernetes.io labels and the common labels")
    void labels() {
        for (List<JsonNode> docs : List.of(defaults, allOn)) {
            for (JsonNode doc : docs) {
                JsonNode labels = doc.at("/metadata/labels");
                assertThat(labels.path("app.kubernetes.io/name").asText()).as(doc.path("kind").asText()).isEqualTo("hostup-iso-worker");
                assertThat(labels.path("app.kubernetes.io/instance").asText()).isEqualTo(RELEASE);
                assertThat(labels.path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
                assertThat(labels.path("app.kubernetes.io/version").asText()).isNotBlank();
                assertThat(labels.path("helm.sh/chart").asText()).startsWith("hostup-iso-worker-");
                if (!"PrometheusRule".equals(doc.path("kind").asText())) {
                    assertThat(doc.at("/metadata/namespace").asText()).isEqualTo(NAMESPACE);
                }
            }
        }
        for (JsonNode doc : allOn) {
            assertThat(doc.at("/metadata/labels/team").asText()).isEqualTo("platform");
            assertThat(doc.at("/metadata/annotations/owner").asText()).isEqualTo("platform@example.com");
        }
        JsonNode deployment = single(defaults, "Deployment");
        JsonNode selector = deployment.at("/spec/selector/matchLabels");
        assertThat(fieldNames(selector)).containsExactlyInAnyOrder("app.kubernetes.io/name", "app.kubernetes.io/instance");
        selector.fields().forEachRemaining(e -> assertThat(deployment.at("/spec/template/metadata/labels/" + escape(e.getKey())))
                .isEqualTo(e.getValue()));
        assertThat(single(defaults, "Service").at("/spec/selector")).isEqualTo(selector);
        assertThat(single(defaults, "PodDisruptionBudget").at("/spec/selector/matchLabels")).isEqualTo(selector);
    }

    @Test
    @DisplayName("probes hit the SmallRye Health endpoints on the HTTP port")
    void probes() {
        JsonNode container = container(defaults);
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText()).isEqualTo("http");
        }
        JsonNode port = container.at("/ports/0");
        assertThat(port.path("name").asText()).isEqualTo("http");
        assertThat(port.path("containerPort").asInt()).isEqualTo(8080);
        assertThat(configMapData(defaults).get("QUARKUS_HTTP_PORT")).isEqualTo("8080");
        assertThat(single(defaults, "Service").at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    }

    @Test
    @DisplayName("the pod is hardened: non-root, read-only root with a writable /tmp, no capabilities, seccomp, no token")
    void securityHardening() {
        for (List<JsonNode> docs : List.of(defaults, allOn)) {
            JsonNode pod = single(docs, "Deployment").at("/spec/template/spec");
            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
            assertThat(pod.at("/securityContext/runAsUser").asInt()).isPositive();
            assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
            assertThat(pod.path("automountServiceAccountToken").isBoolean()).isTrue();
            assertThat(pod.path("automountServiceAccountToken").asBoolean()).isFalse();

            JsonNode sc = container(docs).path("securityContext");
            assertThat(sc.path("runAsNonRoot").asBoolean()).isTrue();
            assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
            assertThat(sc.path("allowPrivilegeEscalation").isBoolean()).isTrue();
            assertThat(sc.path("allowPrivilegeEscalation").asBoolean()).isFalse();
            assertThat(sc.path("privileged").asBoolean()).isFalse();
            assertThat(elements(sc.at("/capabilities/drop"))).extracting(JsonNode::asText).containsExactly("ALL");
            assertThat(sc.at("/capabilities/add").isMissingNode()).isTrue();
            assertThat(sc.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");

            JsonNode tmpMount = elements(container(docs).path("volumeMounts")).stream()
                    .filter(m -> m.path("mountPath").asText().equals("/tmp")).findFirst().orElseThrow();
            JsonNode tmpVolume = elements(pod.path("volumes")).stream()
                    .filter(v -> v.path("name").equals(tmpMount.path("name"))).findFirst().orElseThrow();
            assertThat(tmpVolume.has("emptyDir")).isTrue();

            JsonNode serviceAccount = single(docs, "ServiceAccount");
            assertThat(serviceAccount.path("automountServiceAccountToken").asBoolean(true)).isFalse();
            assertThat(pod.path("serviceAccountName").asText()).isEqualTo(serviceAccount.at("/metadata/name").asText());
            assertThat(container(docs).at("/resources/limits/memory").asText()).isNotBlank();
            assertThat(container(docs).at("/resources/requests/cpu").asText()).isNotBlank();
            assertThat(elements(pod.path("topologySpreadConstraints"))).isNotEmpty();
        }
    }

    @Test
    @DisplayName("the termination grace period outlasts the graceful shutdown timeout")
    void gracePeriodFitsShutdown() {
        JsonNode pod = single(defaults, "Deployment").at("/spec/template/spec");
        String shutdown = configMapData(defaults).get("QUARKUS_SHUTDOWN_TIMEOUT");
        assertThat(shutdown).isEqualTo("30s");
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isGreaterThan(30);

        List<JsonNode> longer = documents(template(t -> t.set("worker.shutdownTimeoutSeconds", "120")));
        assertThat(configMapData(longer).get("QUARKUS_SHUTDOWN_TIMEOUT")).isEqualTo("120s");
        assertThat(single(longer, "Deployment").at("/spec/template/spec/terminationGracePeriodSeconds").asInt()).isGreaterThan(120);

        assertThatThrownBy(() -> template(t -> t.set("terminationGracePeriodSeconds", "20")))
                .hasMessageContaining("must exceed worker.shutdownTimeoutSeconds");
    }

    // ------------------------------------------------------------------------ env and secrets

    @Test
    @DisplayName("every environment variable the chart sets is one the worker reads")
    void envNamesMatchTheWorkerContract() {
        for (List<JsonNode> docs : List.of(defaults, allOn, documents(template(t -> t.withValuesFile(HPA))))) {
            Set<String> names = new TreeSet<>(envNames(docs));
            names.removeIf(TEAM_TOPIC_ENV.asPredicate());
            assertThat(names).isSubsetOf(WORKER_ENV);
            assertThat(names).contains("HOSTUP_API_TOKEN", "HOSTUP_API_URL", "KAFKA_BOOTSTRAP_SERVERS",
                    "ISO_REQUESTS_TOPIC", "ISO_EVENTS_TOPIC", "ISO_DLQ_TOPIC", "QUARKUS_SHUTDOWN_TIMEOUT", "JAVA_OPTS");
        }
        Set<String> allOnNames = new TreeSet<>(envNames(allOn));
        assertThat(allOnNames).as("team topics of ci/all-on-values.yaml").filteredOn(TEAM_TOPIC_ENV.asPredicate())
                .containsExactlyInAnyOrder("HOSTUP_ACCOUNTS_TEAM_A_TOPICS", "HOSTUP_ACCOUNTS_TEAM_A_EVENTS_TOPIC",
                        "HOSTUP_ACCOUNTS_TEAM_B_EVENTS_TOPIC");
        allOnNames.removeIf(TEAM_TOPIC_ENV.asPredicate());
        assertThat(allOnNames).as("all toggles on sets every variable").isEqualTo(new TreeSet<>(WORKER_ENV));
        assertThat(configMapData(defaults)).containsEntry("ISO_JOB_TIMEOUT", "6h").containsEntry("ISO_MAX_IN_FLIGHT", "1000")
                .containsEntry("HOSTUP_API_URL", "https://cloud.hostup.se").containsEntry("KAFKA_GROUP_ID", "hostup-iso-worker")
                .containsEntry("ISO_REQUESTS_TOPIC", "iso-download-requests").containsEntry("ISO_EVENTS_TOPIC", "iso-download-events")
                .containsEntry("ISO_DLQ_TOPIC", "iso-download-requests-dlq");
        assertThat(configMapData(defaults).get("JAVA_OPTS")).contains("-XX:MaxRAMPercentage=75");
    }

    @Test
    @DisplayName("the worker's environment contract is read from docs/configuration.md")
    void contractIsReadFromTheReadme() {
        // A guard against a parser that silently finds nothing (the subset check above would then pass vacuously).
        assertThat(WORKER_ENV).hasSizeGreaterThanOrEqualTo(30).contains(
                "KAFKA_BOOTSTRAP_SERVERS", "HOSTUP_API_TOKEN", "HOSTUP_API_MAX_CONNECTIONS", "ISO_RESOLVE_ATTEMPTS",
                "ISO_JOB_NOT_FOUND_RETRIES", "ISO_LEDGER_TOPIC", "QUARKUS_SHUTDOWN_TIMEOUT",
                "KAFKA_SASL_JAAS_CONFIG", "KAFKA_SSL_KEYSTORE_TYPE", "JAVA_OPTS");
        assertThat(WORKER_ENV).allMatch(name -> name.matches("[A-Z][A-Z0-9_]*"));
        assertThat(WORKER_ENV).containsAll(SECRET_ENV);
    }

    @Test
    @DisplayName("the chart's default worker settings are the defaults docs/configuration.md documents")
    void chartDefaultsMatchTheReadme() {
        // The chart deliberately differs where a cluster needs another value than a laptop.
        Set<String> chartSpecific = Set.of(
                "KAFKA_BOOTSTRAP_SERVERS", // docs: localhost:9092; chart: the in-cluster `kafka:9092` Service
                "HOSTUP_API_TOKEN");       // docs: required; chart: from a Secret, never a ConfigMap
        Map<String, String> data = configMapData(defaults);
        Map<String, String> documented = CONTRACT.defaults();
        assertThat(documented).containsEntry("HOSTUP_API_MAX_CONNECTIONS", "20").containsEntry("ISO_JOB_TIMEOUT", "6h");
        documented.forEach((name, value) -> {
            if (!chartSpecific.contains(name)) {
                assertThat(data).as("ConfigMap default of %s", name).containsEntry(name, value);
            }
        });
    }

    @Test
    @DisplayName("large integer settings render as plain digits, not in float notation")
    void largeIntegersRenderAsDigits() {
        List<JsonNode> docs = documents(template(t -> t.set("kafka.sessionTimeoutMs", "3000000")
                .set("worker.maxInFlight", "5000000").set("worker.ledger.retention", "30d")));
        assertThat(configMapData(docs)).containsEntry("KAFKA_SESSION_TIMEOUT_MS", "3000000")
                .containsEntry("ISO_MAX_IN_FLIGHT", "5000000").containsEntry("ISO_LEDGER_RETENTION", "30d");
    }

    @Test
    @DisplayName("topic creation settings: partitions follow kafka.partitions, the replication factor only when set")
    void topicCreationSettings() {
        assertThat(configMapData(defaults)).containsEntry("ISO_TOPICS_CREATE", "true").containsEntry("ISO_TOPICS_PARTITIONS", "6")
                .containsEntry("ISO_LEDGER_TOPIC", "iso-download-jobs").doesNotContainKey("ISO_TOPICS_REPLICATION_FACTOR");
        assertThat(configMapData(allOn)).containsEntry("ISO_TOPICS_CREATE", "false").containsEntry("ISO_TOPICS_PARTITIONS", "12")
                .containsEntry("ISO_TOPICS_REPLICATION_FACTOR", "3");
    }

    @Test
    @DisplayName("a heartbeat interval of a third of the session timeout or more is rejected")
    void heartbeatBelowAThirdOfTheSessionTimeout() {
        assertThatThrownBy(() -> template(t -> t.set("kafka.sessionTimeoutMs", "9000").set("kafka.heartbeatIntervalMs", "3000")))
                .hasMessageContaining("must stay below a third of kafka.sessionTimeoutMs");
        assertThat(configMapData(documents(template(t -> t.set("kafka.sessionTimeoutMs", "10000")))))
                .containsEntry("KAFKA_SESSION_TIMEOUT_MS", "10000").containsEntry("KAFKA_HEARTBEAT_INTERVAL_MS", "3000");
    }

    @Test
    @DisplayName("the API token comes from the chart-made Secret through a secretKeyRef")
    void tokenFromChartMadeSecret() {
        List<JsonNode> docs = documents(template(t -> t.set("hostup.apiToken", "tok-123")));
        JsonNode ref = env(docs, "HOSTUP_API_TOKEN").at("/valueFrom/secretKeyRef");
        JsonNode secret = single(docs, "Secret");
        assertThat(ref.path("name").asText()).isEqualTo(secret.at("/metadata/name").asText()).isEqualTo(FULLNAME);
        String encoded = secret.at("/data/" + ref.path("key").asText()).asText();
        assertThat(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8)).isEqualTo("tok-123");
    }

    @Test
    @DisplayName("with existingSecret the token comes from that Secret and the chart makes none")
    void tokenFromExistingSecret() {
        List<JsonNode> docs = documents(template(t -> t.set("hostup.existingSecret", "hostup-api")
                .set("hostup.existingSecretKey", "token").set("hostup.apiToken", "ignored")));
        JsonNode ref = env(docs, "HOSTUP_API_TOKEN").at("/valueFrom/secretKeyRef");
        assertThat(ref.path("name").asText()).isEqualTo("hostup-api");
        assertThat(ref.path("key").asText()).isEqualTo("token");
        assertThat(ofKind(docs, "Secret")).isEmpty();
    }

    @Test
    @DisplayName("team accounts' keys are Secret files projected into HOSTUP_ACCOUNTS_DIR, never env or ConfigMap values")
    void teamAccountKeysAreProjectedFiles() {
        assertThat(configMapData(defaults)).doesNotContainKey("HOSTUP_ACCOUNTS_DIR");
        List<JsonNode> docs = documents(template(t -> t.set("hostup.apiToken", "tok")
                .set("hostup.accounts[0].name", "team-a").set("hostup.accounts[0].existingSecret", "hostup-team-a")
                .set("hostup.accounts[1].name", "team-b").set("hostup.accounts[1].existingSecret", "keys")
                .set("hostup.accounts[1].key", "b").set("hostup.accountsSecret", "more-teams")));
        assertThat(configMapData(docs)).containsEntry("HOSTUP_ACCOUNTS_DIR", "/etc/hostup-iso-worker/accounts")
                .containsEntry("HOSTUP_ACCOUNTS_RELOAD_INTERVAL", "30s");
        JsonNode pod = single(docs, "Deployment").at("/spec/template/spec");
        JsonNode volume = null;
        for (JsonNode v : elements(pod.path("volumes"))) {
            if (v.path("name").asText().equals("hostup-accounts")) {
                volume = v;
            }
        }
        assertThat(volume).isNotNull();
        List<JsonNode> sources = elements(volume.at("/projected/sources"));
        assertThat(sources).extracting(s -> s.at("/secret/name").asText()).containsExactly("more-teams", "hostup-team-a", "keys");
        assertThat(sources.get(1).at("/secret/items/0/key").asText()).isEqualTo("api-token");
        assertThat(sources.get(1).at("/secret/items/0/path").asText()).isEqualTo("team-a");
        assertThat(sources.get(2).at("/secret/items/0/key").asText()).isEqualTo("b");
        assertThat(elements(container(docs).path("volumeMounts"))).anySatisfy(m -> {
            assertThat(m.path("name").asText()).isEqualTo("hostup-accounts");
            assertThat(m.has("subPath")).as("no subPath: rotated Secrets reach the pod").isFalse();
        });
        assertThat(envNames(docs)).noneMatch(n -> n.startsWith("HOSTUP_ACCOUNTS_") && n.endsWith("_TOKEN"));

        assertThatThrownBy(() -> template(t -> t.set("hostup.apiToken", "tok").set("hostup.accounts[0].name", "default")
                .set("hostup.accounts[0].existingSecret", "s"))).hasMessageContaining("'default' is the account of");
        assertThatThrownBy(() -> template(t -> t.set("hostup.apiToken", "tok").set("hostup.accounts[0].name", "a")
                .set("hostup.accounts[0].existingSecret", "s").set("hostup.accounts[1].name", "a")
                .set("hostup.accounts[1].existingSecret", "s"))).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> template(t -> t.set("hostup.apiToken", "tok").set("hostup.accounts[0].name", "Team_A")
                .set("hostup.accounts[0].existingSecret", "s"))).hasMessageContaining("hostup.accounts.0.name");
    }

    @Test
    @DisplayName("secrets never land in a ConfigMap or a literal env value")
    void noSecretInConfigMaps() {
        String token = "tok-SECRET-4711";
        String jaas = "ScramLoginModule required username=\"u\" password=\"JAAS-SECRET\";";
        List<JsonNode> docs = documents(template(t -> t.withValuesFile(ALL_ON)
                .set("hostup.apiToken", token).set("kafka.sasl.jaasConfig", jaas)));
        for (JsonNode configMap : ofKind(docs, "ConfigMap")) {
            assertThat(fieldNames(configMap.path("data"))).doesNotContainAnyElementsOf(SECRET_ENV);
            assertThat(configMap.toString()).doesNotContain(token).doesNotContain("JAAS-SECRET");
        }
        for (String name : SECRET_ENV) {
            JsonNode var = env(docs, name);
            assertThat(var.has("value")).as(name).isFalse();
            assertThat(var.at("/valueFrom/secretKeyRef/name").asText()).as(name).isNotBlank();
        }
        assertThat(single(docs, "Deployment").toString()).doesNotContain(token).doesNotContain("JAAS-SECRET");
        JsonNode secret = single(docs, "Secret");
        assertThat(env(docs, "KAFKA_SASL_JAAS_CONFIG").at("/valueFrom/secretKeyRef/name").asText())
                .isEqualTo(secret.at("/metadata/name").asText());
        assertThat(env(docs, "KAFKA_SSL_TRUSTSTORE_PASSWORD").at("/valueFrom/secretKeyRef/name").asText())
                .isEqualTo("kafka-client-tls");
    }

    @Test
    @DisplayName("Kafka TLS mounts the store Secret read-only and points the worker at the files")
    void kafkaTls() {
        Map<String, String> data = configMapData(allOn);
        assertThat(data).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                .containsEntry("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/hostup-iso-worker/kafka-tls/truststore.p12")
                .containsEntry("KAFKA_SSL_KEYSTORE_LOCATION", "/etc/hostup-iso-worker/kafka-tls/keystore.p12");
        JsonNode mount = elements(container(allOn).path("volumeMounts")).stream()
                .filter(m -> m.path("mountPath").asText().equals("/etc/hostup-iso-worker/kafka-tls")).findFirst().orElseThrow();
        assertThat(mount.path("readOnly").asBoolean()).isTrue();
        JsonNode volume = elements(single(allOn, "Deployment").at("/spec/template/spec/volumes")).stream()
                .filter(v -> v.path("name").equals(mount.path("name"))).findFirst().orElseThrow();
        assertThat(volume.at("/secret/secretName").asText()).isEqualTo("kafka-client-tls");
        List<JsonNode> tlsOnly = documents(template(t -> t.set("kafka.tls.enabled", "true").set("kafka.tls.existingSecret", "tls")));
        assertThat(configMapData(tlsOnly)).containsEntry("KAFKA_SECURITY_PROTOCOL", "SSL").doesNotContainKey("KAFKA_SSL_KEYSTORE_LOCATION");
    }

    // ---------------------------------------------------------------------------- monitoring

    @Test
    @DisplayName("the PrometheusRule carries the alerts of deploy/prometheus/alerts.yaml (rules in PrometheusRuleChartTest)")
    void prometheusRuleEqualsDeployFile() throws Exception {
        JsonNode rule = single(allOn, "PrometheusRule");
        assertThat(elements(rule.at("/spec/groups/0/rules"))).extracting(r -> r.path("alert").asText())
                .isEqualTo(elements(YAML.readTree(ALERTS.toFile()).at("/groups/0/rules")).stream().map(r -> r.path("alert").asText()).toList());
        assertThat(rule.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    }

    @Test
    @DisplayName("the dashboard ConfigMap carries deploy/grafana/hostup-iso-worker.json with the configured sidecar label")
    void dashboardConfigMap() throws Exception {
        JsonNode configMap = ofKind(allOn, "ConfigMap").stream()
                .filter(c -> c.at("/data").has("hostup-iso-worker.json")).findFirst().orElseThrow();
        String json = configMap.at("/data/hostup-iso-worker.json").asText();
        assertThat(json.strip()).isEqualTo(Files.readString(DASHBOARD).strip());
        assertThat(configMap.at("/metadata/labels/grafana_dashboard_custom").asText()).isEqualTo("yes");
        assertThat(configMap.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("Kafka");

        List<JsonNode> defaultLabel = documents(template(t -> t.set("grafanaDashboard.enabled", "true")));
        assertThat(ofKind(defaultLabel, "ConfigMap")).anySatisfy(c ->
                assertThat(c.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1"));
    }

    @Test
    @DisplayName("the ServiceMonitor scrapes /q/metrics on the Service's http port")
    void serviceMonitor() {
        JsonNode sm = single(allOn, "ServiceMonitor");
        assertThat(sm.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
        assertThat(sm.at("/spec/endpoints/0/port").asText()).isEqualTo(single(allOn, "Service").at("/spec/ports/0/name").asText());
        assertThat(sm.at("/spec/selector/matchLabels")).isEqualTo(single(allOn, "Service").at("/spec/selector"));
        assertThat(sm.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    }

    // --------------------------------------------------------------------- scaling and network

    @Test
    @DisplayName("the KEDA ScaledObject scales on the request topic's consumer lag, capped at the partition count")
    void kedaScaledObject() {
        JsonNode so = single(allOn, "ScaledObject");
        assertThat(so.at("/spec/scaleTargetRef/name").asText()).isEqualTo(single(allOn, "Deployment").at("/metadata/name").asText());
        JsonNode trigger = so.at("/spec/triggers/0");
        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        assertThat(trigger.at("/metadata/topic").asText()).isEqualTo("iso-download-requests");
        assertThat(trigger.at("/metadata/consumerGroup").asText()).isEqualTo("hostup-iso-worker");
        assertThat(so.at("/spec/maxReplicaCount").asInt()).isLessThanOrEqualTo(12);
        assertThat(so.at("/spec/triggers/0/authenticationRef/name").asText()).isEqualTo("kafka-sasl");

        List<JsonNode> defaultCap = documents(template(t -> t.set("keda.enabled", "true")));
        assertThat(single(defaultCap, "ScaledObject").at("/spec/maxReplicaCount").asInt())
                .isLessThanOrEqualTo(defaultInt("kafka", "partitions"));
        assertThatThrownBy(() -> template(t -> t.set("keda.enabled", "true").set("keda.maxReplicaCount", "7")))
                .hasMessageContaining("exceeds kafka.partitions");
        assertThatThrownBy(() -> template(t -> t.set("autoscaling.enabled", "true").set("autoscaling.maxReplicas", "7")))
                .hasMessageContaining("exceeds kafka.partitions");
        assertThatThrownBy(() -> template(t -> t.set("keda.enabled", "true").set("autoscaling.enabled", "true")))
                .hasMessageContaining("exclusive");
    }

    @Test
    @DisplayName("the NetworkPolicy allows egress only to DNS, Kafka, the HostUp API, download origins and what values add")
    void networkPolicy() {
        JsonNode np = single(allOn, "NetworkPolicy");
        assertThat(elements(np.at("/spec/policyTypes"))).extracting(JsonNode::asText).containsExactlyInAnyOrder("Ingress", "Egress");
        List<JsonNode> egress = elements(np.at("/spec/egress"));
        // DNS, Kafka, HostUp; origins (preflight "check"), the allowed 10.20.0.0/16, one extraEgress (ChartNetworkPolicyTest)
        assertThat(egress).hasSize(6).allSatisfy(rule -> {
            assertThat(elements(rule.path("to"))).as("every egress rule names its peers").isNotEmpty();
            assertThat(elements(rule.path("ports"))).isNotEmpty();
        });
        assertThat(ports(egress.get(0))).containsExactlyInAnyOrder("53/UDP", "53/TCP");
        assertThat(ports(egress.get(1))).containsExactlyInAnyOrder("9092/TCP", "9093/TCP");
        assertThat(egress.get(1).at("/to/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText()).isEqualTo("kafka");
        assertThat(ports(egress.get(2))).containsExactly("443/TCP");
        assertThat(np.at("/spec/podSelector/matchLabels")).isEqualTo(single(allOn, "Deployment").at("/spec/selector/matchLabels"));
        assertThatThrownBy(() -> template(t -> t.set("networkPolicy.enabled", "true")))
                .hasMessageContaining("networkPolicy.kafka.to");
    }

    // -------------------------------------------------------------------------------- schema

    @ParameterizedTest(name = "{0}={1} is rejected")
    @CsvSource(delimiter = '|', textBlock = """
            replicaCount                      | -1
            replicaCount                      | two
            unknownTopLevelKey                | 1
            image.pullPolicy                  | Sometimes
            image.unknown                     | x
            hostup.apiUrl                     | ftp://cloud.hostup.se
            hostup.requestTimeout             | 30 seconds
            kafka.bootstrapServers            | kafka
            kafka.partitions                  | 0
            kafka.securityProtocol            | TLS
            kafka.sasl.mechanism              | MAGIC
            kafka.topics.requests             | bad topic
            worker.jobTimeout                 | six hours
            worker.maxInFlight                | 0
            worker.resolveAttempts            | 0
            worker.jobNotFoundRetries         | -1
            worker.ledger.retention           | one week
            worker.ledger.sweepInterval       | 10
            worker.ledger.transactionalIdPrefix | has spaces
            worker.ledger.unknown             | 1
            kafka.topics.ledger               | bad topic
            kafka.topics.create               | sometimes
            kafka.topics.replicationFactor    | 0
            kafka.sessionTimeoutMs            | 45s
            kafka.heartbeatIntervalMs         | 0
            hostup.maxConnections             | 0
            worker.shutdownTimeoutSeconds     | 30s
            serviceAccount.automountServiceAccountToken | yes-please
            pdb.enabled                       | maybe
            keda.offsetResetPolicy            | middle
            autoscaling.targetCPUUtilizationPercentage | 150
            service.port                      | 70000
            """)
    void schemaRejectsBadValues(String key, String value) {
        assertThatThrownBy(() -> template(t -> t.set(key, value)))
                .hasMessageContaining("values don't meet the specifications of the schema");
    }

    @Test
    @DisplayName("the schema accepts the documented defaults and both CI value files")
    void schemaAcceptsGoodValues() {
        assertThat(defaults).isNotEmpty();
        assertThat(allOn).isNotEmpty();
        assertThat(documents(template(t -> t.set("replicaCount", "0").set("worker.jobTimeout", "90m")
                .set("pdb.maxUnavailable", "50%")))).isNotEmpty();
    }

    @Test
    @DisplayName("README.md documents every value of values.yaml")
    void readmeDocumentsEveryValue() throws Exception {
        String readme = Files.readString(CHART.resolve("README.md"));
        List<String> keys = new ArrayList<>();
        flatten("", YAML.readTree(CHART.resolve("values.yaml").toFile()), keys);
        assertThat(keys).hasSizeGreaterThan(50).allSatisfy(key -> assertThat(readme).contains("| `" + key + "` |"));
        String values = Files.readString(CHART.resolve("values.yaml"));
        long documented = values.lines().filter(l -> l.strip().startsWith("# -- ")).count();
        assertThat(documented).as("every leaf value has a `# --` comment").isEqualTo(keys.size());
    }

}
