package dev.hostupiso.worker.deploy;

import static dev.hostupiso.worker.deploy.HelmChartTest.ALL_ON;
import static dev.hostupiso.worker.deploy.HelmChartTest.HPA;
import static dev.hostupiso.worker.deploy.HelmChartTest.NAMESPACE;
import static dev.hostupiso.worker.deploy.HelmChartTest.RELEASE;
import static dev.hostupiso.worker.deploy.HelmChartTest.RENDERABLE_CHART;
import static dev.hostupiso.worker.deploy.HelmChartTest.bareTemplate;
import static dev.hostupiso.worker.deploy.ChartDocs.configMapData;
import static dev.hostupiso.worker.deploy.ChartDocs.container;
import static dev.hostupiso.worker.deploy.ChartDocs.env;
import static dev.hostupiso.worker.deploy.ChartDocs.fieldNames;
import static dev.hostupiso.worker.deploy.HelmChartTest.template;
import static dev.hostupiso.worker.deploy.Rendered.CHART;
import static dev.hostupiso.worker.deploy.Rendered.DOCKERFILE;
import static dev.hostupiso.worker.deploy.Rendered.YAML;
import static dev.hostupiso.worker.deploy.Rendered.documents;
import static dev.hostupiso.worker.deploy.Rendered.elements;
import static dev.hostupiso.worker.deploy.Rendered.ofKind;
import static dev.hostupiso.worker.deploy.Rendered.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What an operator meets on the first install: required values that fail the render with a message,
 * the Kubernetes versions the chart accepts, the extension points, the egress proxy and CA, and the
 * scaling fallbacks. Rendered with the real helm of helm-java, as {@link HelmChartTest} does.
 */
class HelmInstallTest {

    static final Path EXTENSIONS = CHART.resolve("ci/extensions-values.yaml");
    static final String KEY_MISSING = "hostup.existingSecret (recommended) or hostup.apiToken is required";
    static final String IMAGE_MISSING = "image.repository is required: no image of hostup-iso-worker is published";

    @TempDir
    Path tmp;

    // --------------------------------------------------------------------------- required values

    @Test
    @DisplayName("helm install without an API key fails at render time, saying what to set")
    void installWithoutApiKeyFails() {
        assertThatThrownBy(() -> install(i -> i.set("image.repository", "registry.example.com/hostup-iso-worker")))
                .hasMessageContaining(KEY_MISSING)
                .hasMessageContaining("kubectl create secret generic hostup-api")
                .hasMessageContaining("--set hostup.apiToken=");
        assertThatThrownBy(() -> bareTemplate(t -> t.set("image.repository", "r/w").set("hostup.apiToken", "")))
                .as("an explicitly empty key is no key").hasMessageContaining(KEY_MISSING);

        Release release = install(i -> i.set("image.repository", "registry.example.com/hostup-iso-worker")
                .set("hostup.existingSecret", "hostup-api"));
        assertThat(release.getName()).isEqualTo(RELEASE);
        Release withToken = install(i -> i.set("image.repository", "registry.example.com/hostup-iso-worker")
                .set("hostup.apiToken", "tok"));
        assertThat(withToken.getName()).isEqualTo(RELEASE);
    }

    @Test
    @DisplayName("helm install without image.repository fails at render time, pointing at how to build the image")
    void installWithoutImageFails() {
        assertThatThrownBy(() -> install(i -> i.set("hostup.existingSecret", "hostup-api")))
                .hasMessageContaining(IMAGE_MISSING)
                .hasMessageContaining("src/main/docker/Dockerfile.jvm")
                .hasMessageContaining("--set image.repository=");
        assertThatThrownBy(() -> bareTemplate(t -> t.set("hostup.existingSecret", "s").set("image.registry", "registry.example.com")))
                .as("a registry alone names no image").hasMessageContaining(IMAGE_MISSING);
    }

    @ParameterizedTest(name = "registry={0} repository={1} tag={2} digest={3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            registry.example.com | hostup-iso-worker                      | -     | -         | registry.example.com/hostup-iso-worker:0.1.0
            -                    | registry.example.com/team/iso-worker   | 1.2.3 | -         | registry.example.com/team/iso-worker:1.2.3
            registry.example.com | hostup-iso-worker                      | 1.2.3 | sha256:ab | registry.example.com/hostup-iso-worker@sha256:ab
            """)
    void imageReference(String registry, String repository, String tag, String digest, String expected) {
        String fullDigest = digest == null ? null : digest + "0".repeat(62);
        List<JsonNode> docs = documents(bareTemplate(t -> {
            t.set("hostup.apiToken", "tok").set("image.repository", repository);
            if (registry != null) {
                t.set("image.registry", registry);
            }
            if (tag != null) {
                t.set("image.tag", tag);
            }
            if (fullDigest != null) {
                t.set("image.digest", fullDigest);
            }
            return t;
        }));
        String want = fullDigest == null ? expected : expected.replace(digest, fullDigest);
        assertThat(container(docs).path("image").asText()).isEqualTo(want);
    }

    @Test
    @DisplayName("every ci/ values file renders on its own (as chart-testing lints them)")
    void everyCiValuesFileIsSelfSufficient() throws IOException {
        try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
            List<Path> ci = files.filter(f -> f.toString().endsWith("-values.yaml")).sorted().toList();
            assertThat(ci).extracting(f -> f.getFileName().toString())
                    .contains("minimal-values.yaml", "all-on-values.yaml", "hpa-values.yaml", "extensions-values.yaml");
            for (Path file : ci) {
                assertThat(documents(bareTemplate(t -> t.withValuesFile(file)))).as(file.toString()).isNotEmpty();
            }
        }
    }

    // -------------------------------------------------------------------------- Kubernetes version

    /** Kubernetes minor version in which each built-in API group version the chart renders went GA. */
    static final Map<String, Integer> GA_SINCE = Map.of(
            "v1", 0, "apps/v1", 9, "policy/v1", 21, "autoscaling/v2", 23, "networking.k8s.io/v1", 7);
    /** CRDs: their own operators' versions, not Kubernetes'. */
    static final Set<String> CRD_APIS = Set.of("monitoring.coreos.com/v1", "keda.sh/v1alpha1");

    @Test
    @DisplayName("Chart.yaml's kubeVersion admits every API the chart renders, and an older cluster is refused")
    void kubeVersion() throws IOException {
        String kubeVersion = YAML.readTree(CHART.resolve("Chart.yaml").toFile()).path("kubeVersion").asText();
        Matcher min = Pattern.compile("^>=1\\.(\\d+)\\.0-0$").matcher(kubeVersion);
        assertThat(min.matches()).as("kubeVersion %s is a lower bound that admits vendor builds", kubeVersion).isTrue();
        int minimum = Integer.parseInt(min.group(1));

        Set<String> apis = new TreeSet<>();
        for (Path values : List.of(ALL_ON, HPA, EXTENSIONS)) {
            documents(template(t -> t.withValuesFile(values))).forEach(d -> apis.add(d.path("apiVersion").asText()));
        }
        assertThat(apis).allSatisfy(api -> assertThat(GA_SINCE.containsKey(api) || CRD_APIS.contains(api))
                .as("%s: add it to GA_SINCE with the Kubernetes version it needs", api).isTrue());
        int needed = apis.stream().filter(GA_SINCE::containsKey).mapToInt(GA_SINCE::get).max().orElseThrow();
        assertThat(minimum).as("kubeVersion lower bound").isEqualTo(needed);

        // helm-java's Helm presents itself as Kubernetes v1.20.0: the real chart refuses it.
        assertThatThrownBy(() -> new Helm(CHART).template().withName(RELEASE).withValuesFile(HelmChartTest.MINIMAL).call())
                .hasMessageContaining("chart requires kubeVersion: " + kubeVersion + " which is incompatible with Kubernetes v1.20.0");
        assertThat(Files.readString(CHART.resolve("README.md"))).contains("Kubernetes ≥ 1." + minimum)
                .contains("`kubeVersion: \"" + kubeVersion + "\"`");
    }

    // ---------------------------------------------------------------------------- extension points

    @Test
    @DisplayName("the bitnami-style extension points land where Kubernetes reads them, templates rendered")
    void extensionPoints() {
        List<JsonNode> docs = documents(bareTemplate(t -> t.withValuesFile(EXTENSIONS)));
        JsonNode deployment = single(docs, "Deployment");
        JsonNode pod = deployment.at("/spec/template/spec");

        assertThat(pod.path("priorityClassName").asText()).isEqualTo("batch-low");
        assertThat(pod.at("/hostAliases/0/ip").asText()).isEqualTo("10.0.0.5");
        assertThat(pod.at("/hostAliases/0/hostnames/0").asText()).isEqualTo("proxy.corp.example");
        assertThat(deployment.at("/spec/template/metadata/labels/cost-center").asText()).isEqualTo("iso");
        assertThat(fieldNames(deployment.at("/spec/selector/matchLabels"))).doesNotContain("cost-center");
        assertThat(elements(pod.path("initContainers"))).extracting(c -> c.path("name").asText()).containsExactly("wait-for-kafka");
        List<JsonNode> containers = elements(pod.path("containers"));
        assertThat(containers).extracting(c -> c.path("name").asText()).containsExactly("hostup-iso-worker", "log-shipper");
        assertThat(containers.get(1).at("/volumeMounts/0/name").asText()).isEqualTo("spool");

        JsonNode worker = containers.get(0);
        assertThat(elements(worker.path("envFrom"))).extracting(e -> e.at("/configMapRef/name").asText())
                .as("the chart's ConfigMap first, then the extra source, its template rendered")
                .containsExactly("iso-hostup-iso-worker", RELEASE + "-overrides");
        assertThat(elements(worker.path("env"))).extracting(e -> e.path("name").asText()).contains("HOSTUP_API_TOKEN", "QUARKUS_LOG_LEVEL");
        assertThat(worker.at("/lifecycle/preStop/exec/command/2").asText()).isEqualTo("sleep 5");
        assertThat(elements(worker.path("volumeMounts"))).extracting(m -> m.path("mountPath").asText()).contains("/tmp", "/var/spool/iso");
        assertThat(elements(pod.path("volumes"))).extracting(v -> v.path("name").asText()).contains("tmp", "spool");
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isEqualTo(60);

        JsonNode defaults = single(documents(template(t -> t)), "Deployment").at("/spec/template/spec");
        for (String absent : List.of("initContainers", "hostAliases", "priorityClassName")) {
            assertThat(defaults.has(absent)).as(absent).isFalse();
        }
        assertThat(defaults.path("containers").size()).isEqualTo(1);
        assertThat(defaults.at("/containers/0").has("lifecycle")).isFalse();
        assertThat(defaults.at("/containers/0/envFrom").size()).isEqualTo(1);
    }

    @Test
    @DisplayName("the schema describes every extension point and rejects malformed ones")
    void schemaOfExtensionPoints() throws IOException {
        JsonNode properties = YAML.readTree(CHART.resolve("values.schema.json").toFile()).path("properties");
        assertThat(fieldNames(properties)).contains("extraEnv", "extraEnvFrom", "extraVolumes", "extraVolumeMounts",
                "initContainers", "sidecars", "lifecycleHooks", "podLabels", "priorityClassName", "hostAliases");
        for (String bad : List.of("sidecars: [{image: x}]", "extraVolumes: [{emptyDir: {}}]",
                "extraVolumeMounts: [{name: x}]", "hostAliases: [{ip: 10.0.0.1}]", "lifecycleHooks: {preStart: {}}",
                "initContainers: {name: x}", "extraEnvFrom: [configMapRef]")) {
            Path file = write(bad);
            assertThatThrownBy(() -> template(t -> t.withValuesFile(file))).as(bad)
                    .hasMessageContaining("values don't meet the specifications of the schema");
        }
    }

    // ------------------------------------------------------------------------- egress proxy and CA

    @Test
    @DisplayName("proxy and CA: URL and CA path in the ConfigMap, credentials by secretKeyRef, the bundle mounted read-only")
    void proxyAndCa() {
        List<JsonNode> docs = documents(template(t -> t.withValuesFile(ALL_ON)));
        Map<String, String> data = configMapData(docs);
        assertThat(data).containsEntry("HOSTUP_API_PROXY", "http://proxy.corp.example:3128")
                .containsEntry("HOSTUP_API_NON_PROXY_HOSTS", "localhost,*.svc.cluster.local")
                .containsEntry("HOSTUP_API_CA_FILE", "/etc/hostup-iso-worker/hostup-ca/ca-bundle.pem");
        for (String[] var : new String[][] {{"HOSTUP_API_PROXY_USERNAME", "username"}, {"HOSTUP_API_PROXY_PASSWORD", "password"}}) {
            JsonNode ref = env(docs, var[0]).at("/valueFrom/secretKeyRef");
            assertThat(ref.path("name").asText()).isEqualTo("egress-proxy");
            assertThat(ref.path("key").asText()).isEqualTo(var[1]);
        }
        assertCaFileIsMounted(docs, "configMap", "corp-ca-bundle");

        List<JsonNode> fromSecret = documents(template(t -> t.set("hostup.ca.existingSecret", "corp-ca")));
        assertThat(configMapData(fromSecret)).containsEntry("HOSTUP_API_CA_FILE", "/etc/hostup-iso-worker/hostup-ca/ca.crt");
        assertCaFileIsMounted(fromSecret, "secret", "corp-ca");

        List<JsonNode> defaults = documents(template(t -> t));
        assertThat(configMapData(defaults)).doesNotContainKeys("HOSTUP_API_PROXY", "HOSTUP_API_NON_PROXY_HOSTS", "HOSTUP_API_CA_FILE");
        assertThat(elements(container(defaults).path("env"))).extracting(e -> e.path("name").asText())
                .doesNotContain("HOSTUP_API_PROXY_USERNAME", "HOSTUP_API_PROXY_PASSWORD");
        assertThat(single(defaults, "Deployment").toString()).doesNotContain("hostup-ca");

        List<JsonNode> anonymous = documents(template(t -> t.set("hostup.proxy.url", "socks5://10.1.2.3:1080")));
        assertThat(configMapData(anonymous)).containsEntry("HOSTUP_API_PROXY", "socks5://10.1.2.3:1080");
        assertThat(elements(container(anonymous).path("env"))).extracting(e -> e.path("name").asText())
                .doesNotContain("HOSTUP_API_PROXY_USERNAME", "HOSTUP_API_PROXY_PASSWORD");
    }

    /** HOSTUP_API_CA_FILE names a file that a read-only mount of the given source provides. */
    static void assertCaFileIsMounted(List<JsonNode> docs, String sourceKind, String sourceName) {
        Path caFile = Path.of(configMapData(docs).get("HOSTUP_API_CA_FILE"));
        JsonNode mount = elements(container(docs).path("volumeMounts")).stream()
                .filter(m -> caFile.getParent().equals(Path.of(m.path("mountPath").asText()))).findFirst().orElseThrow();
        assertThat(mount.path("readOnly").asBoolean()).isTrue();
        JsonNode volume = elements(single(docs, "Deployment").at("/spec/template/spec/volumes")).stream()
                .filter(v -> v.path("name").equals(mount.path("name"))).findFirst().orElseThrow();
        JsonNode source = volume.path(sourceKind);
        assertThat(source.path(sourceKind.equals("secret") ? "secretName" : "name").asText()).isEqualTo(sourceName);
        assertThat(source.at("/items/0/path").asText()).isEqualTo(caFile.getFileName().toString());
    }

    @Test
    @DisplayName("proxy and CA values that cannot work fail the render with a message")
    void badProxyAndCaValues() {
        assertThatThrownBy(() -> template(t -> t.set("hostup.proxy.url", "http://bob:hunter2@proxy.corp:3128")))
                .hasMessageContaining("hostup.proxy.url must not carry credentials")
                .hasMessageContaining("hostup.proxy.existingSecret");
        assertThatThrownBy(() -> template(t -> t.set("hostup.proxy.existingSecret", "egress-proxy")))
                .hasMessageContaining("hostup.proxy.url is empty");
        assertThatThrownBy(() -> template(t -> t.set("hostup.ca.existingSecret", "a").set("hostup.ca.existingConfigMap", "b")))
                .hasMessageContaining("are exclusive");
        for (String url : List.of("https://proxy.corp:3128", "http://proxy.corp", "proxy.corp:3128", "http://proxy.corp:3128/path")) {
            assertThatThrownBy(() -> template(t -> t.set("hostup.proxy.url", url))).as(url)
                    .hasMessageContaining("values don't meet the specifications of the schema");
        }
    }

    // ------------------------------------------------------------------------------------ scaling

    @Test
    @DisplayName("KEDA holds maxReplicaCount (or the configured fallback) while the lag cannot be read")
    void kedaFallback() {
        JsonNode fallback = single(documents(template(t -> t.withValuesFile(ALL_ON))), "ScaledObject").at("/spec/fallback");
        assertThat(fallback.path("failureThreshold").asInt()).isEqualTo(3);
        assertThat(fallback.path("replicas").asInt()).as("keda.maxReplicaCount of all-on").isEqualTo(12);

        JsonNode explicit = single(documents(template(t -> t.set("keda.enabled", "true")
                .set("keda.fallback.replicas", "2").set("keda.fallback.failureThreshold", "5"))), "ScaledObject");
        assertThat(explicit.at("/spec/fallback/replicas").asInt()).isEqualTo(2);
        assertThat(explicit.at("/spec/fallback/failureThreshold").asInt()).isEqualTo(5);
        JsonNode off = single(documents(template(t -> t.set("keda.enabled", "true").set("keda.fallback.enabled", "false"))), "ScaledObject");
        assertThat(off.at("/spec").has("fallback")).isFalse();

        assertThatThrownBy(() -> template(t -> t.set("keda.enabled", "true").set("keda.fallback.replicas", "7")))
                .hasMessageContaining("keda.fallback.replicas (7) exceeds keda.maxReplicaCount (6)");
        assertThatThrownBy(() -> template(t -> t.set("keda.enabled", "true").set("keda.fallback.replicas", "0")))
                .hasMessageContaining("values don't meet the specifications of the schema");
    }

    @Test
    @DisplayName("the HPA can scale on an External lag metric instead of CPU, and refuses to have no metric")
    void hpaOnLag() {
        Path lag = write("""
                autoscaling:
                  enabled: true
                  targetCPUUtilizationPercentage: null
                  extraMetrics:
                    - type: External
                      external:
                        metric:
                          name: kafka_consumergroup_lag_sum
                          selector:
                            matchLabels:
                              consumergroup: "{{ .Values.kafka.groupId }}"
                        target:
                          type: AverageValue
                          averageValue: "100"
                """);
        JsonNode metrics = single(documents(template(t -> t.withValuesFile(lag))), "HorizontalPodAutoscaler").at("/spec/metrics");
        assertThat(elements(metrics)).extracting(m -> m.path("type").asText()).containsExactly("External");
        assertThat(metrics.at("/0/external/metric/selector/matchLabels/consumergroup").asText()).isEqualTo("hostup-iso-worker");

        JsonNode cpu = single(documents(template(t -> t.withValuesFile(HPA))), "HorizontalPodAutoscaler").at("/spec/metrics");
        assertThat(elements(cpu)).extracting(m -> m.at("/resource/name").asText()).containsExactly("cpu");

        Path none = write("autoscaling: {enabled: true, targetCPUUtilizationPercentage: null}");
        assertThatThrownBy(() -> template(t -> t.withValuesFile(none)))
                .hasMessageContaining("autoscaling.enabled needs a metric");
    }

    // ------------------------------------------------------------------------------------- docs

    @Test
    @DisplayName("the chart README names the Dockerfile's base image and warns off JDK 17 bases")
    void baseImageAdviceMatchesTheDockerfile() throws IOException {
        String base = Files.readAllLines(DOCKERFILE).stream().filter(l -> l.startsWith("ARG BASE_IMAGE="))
                .findFirst().orElseThrow().substring("ARG BASE_IMAGE=".length()).replaceAll("@sha256:.*$", "");
        Matcher major = Pattern.compile(":(\\d+)-").matcher(base);
        assertThat(major.find()).as(base).isTrue();
        String readme = Files.readString(CHART.resolve("README.md"));
        assertThat(readme).contains("`" + base + "`").contains("JDK " + major.group(1));
        List<String> paragraphs = Arrays.asList(readme.split("\n\\s*\n"));
        assertThat(paragraphs.stream().filter(p -> p.matches("(?s).*(openjdk-17|:17-jre).*")).toList())
                .as("JDK 17 images are only named to say they do not work")
                .isNotEmpty().allMatch(p -> p.contains("does **not** work"));
    }

    // ------------------------------------------------------------------------------------ helpers

    /** {@code helm install --dry-run} without a cluster (client-only), as a first install would run it. */
    static Release install(UnaryOperator<InstallCommand> options) {
        return options.apply(new Helm(RENDERABLE_CHART).install().withName(RELEASE).withNamespace(NAMESPACE)
                .clientOnly().dryRun()).call();
    }

    Path write(String yaml) {
        try {
            return Files.writeString(Files.createTempFile(tmp, "values-", ".yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
