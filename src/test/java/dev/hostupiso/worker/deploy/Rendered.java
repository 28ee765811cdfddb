package dev.hostupiso.worker.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

/** Shared helpers of the deployment tests: project paths and YAML parsing of rendered manifests. */
final class Rendered {

    static final ObjectMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();

    /** Surefire and failsafe run in the project's base directory. */
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path CHART = ROOT.resolve("helm/hostup-iso-worker");
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final Path ALERTS = DEPLOY.resolve("prometheus/alerts.yaml");
    static final Path ALERTS_TEST = DEPLOY.resolve("prometheus/alerts_test.yaml");
    static final Path DASHBOARD = DEPLOY.resolve("grafana/hostup-iso-worker.json");
    static final Path RUNBOOKS = DEPLOY.resolve("runbooks.md");
    static final Path DOCKERFILE = ROOT.resolve("src/main/docker/Dockerfile.jvm");
    static final Path DOCKERIGNORE = ROOT.resolve(".dockerignore");

    private static final Pattern DOC_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private Rendered() {
    }

    /** Splits a multi-document YAML stream (helm template output) into its non-empty documents. */
    static List<JsonNode> documents(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        for (String part : DOC_SEPARATOR.split(yaml)) {
            if (part.isBlank()) {
                continue;
            }
            try {
                JsonNode node = YAML.readTree(part);
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    docs.add(node);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Rendered document is not valid YAML:\n" + part, e);
            }
        }
        return docs;
    }

    static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    static JsonNode single(List<JsonNode> docs, String kind) {
        List<JsonNode> found = ofKind(docs, kind);
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + kind + " but found " + found.size());
        }
        return found.get(0);
    }

    static List<JsonNode> elements(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).toList();
    }
}
