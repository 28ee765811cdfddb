package dev.hostupiso.worker.deploy;

import static dev.hostupiso.worker.deploy.Rendered.CHART;
import static dev.hostupiso.worker.deploy.Rendered.YAML;
import static dev.hostupiso.worker.deploy.Rendered.elements;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.hostupiso.worker.deploy.Rendered.ofKind;
import static dev.hostupiso.worker.deploy.Rendered.single;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the chart's rendered documents and values for the chart tests: kinds, the container, env, ConfigMap data. */
final class ChartDocs {

    private ChartDocs() {
    }

    static List<String> kinds(List<JsonNode> docs) {
        return docs.stream().map(d -> d.path("kind").asText()).toList();
    }

    static JsonNode container(List<JsonNode> docs) {
        JsonNode containers = single(docs, "Deployment").at("/spec/template/spec/containers");
        assertThat(containers.size()).isEqualTo(1);
        return containers.get(0);
    }

    static JsonNode env(List<JsonNode> docs, String name) {
        return elements(container(docs).path("env")).stream()
                .filter(e -> e.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env var " + name));
    }

    /** Data of the ConfigMap the container loads with envFrom. */
    static Map<String, String> configMapData(List<JsonNode> docs) {
        String name = container(docs).at("/envFrom/0/configMapRef/name").asText();
        JsonNode cm = ofKind(docs, "ConfigMap").stream().filter(c -> c.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + name));
        Map<String, String> data = new LinkedHashMap<>();
        cm.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
        return data;
    }

    /** Names the container gets: explicit env plus the keys of every envFrom ConfigMap. */
    static List<String> envNames(List<JsonNode> docs) {
        List<String> names = new ArrayList<>();
        elements(container(docs).path("env")).forEach(e -> names.add(e.path("name").asText()));
        for (JsonNode from : elements(container(docs).path("envFrom"))) {
            assertThat(from.has("secretRef")).as("no envFrom Secret: names must be explicit").isFalse();
            names.addAll(configMapData(docs).keySet());
        }
        return names;
    }

    /** A values file holding {@code yaml}, under target/ (for values {@code --set} cannot express). */
    static java.nio.file.Path valuesFile(String yaml) {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createDirectories(Rendered.ROOT.resolve("target/chart-values"));
            java.nio.file.Path file = java.nio.file.Files.createTempFile(dir, "values", ".yaml");
            java.nio.file.Files.writeString(file, yaml);
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static List<String> ports(JsonNode rule) {
        return elements(rule.path("ports")).stream().map(p -> p.path("port").asText() + "/" + p.path("protocol").asText()).toList();
    }

    static String escape(String pointerToken) {
        return pointerToken.replace("~", "~0").replace("/", "~1");
    }

    static int defaultInt(String... path) {
        try {
            JsonNode node = YAML.readTree(CHART.resolve("values.yaml").toFile());
            for (String p : path) {
                node = node.path(p);
            }
            return node.asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Leaf paths of values.yaml: scalars, lists and empty maps are leaves; maps are descended. */
    static void flatten(String prefix, JsonNode node, List<String> out) {
        if (node.isObject() && node.size() > 0 && !isFreeFormMap(prefix)) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.add(prefix);
        }
    }

    /** Values that are Kubernetes objects passed through as a whole (documented as one value). */
    static boolean isFreeFormMap(String path) {
        return Set.of("updateStrategy", "resources", "podSecurityContext", "securityContext").contains(path);
    }
}
