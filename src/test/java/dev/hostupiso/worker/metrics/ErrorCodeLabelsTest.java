package dev.hostupiso.worker.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code code} label of the request counter keeps every error code the event contract
 * documents: the codes are read from the outcome schema's {@code error.code} (every {@code enum} it
 * reaches through {@code anyOf}/{@code oneOf} and {@code $ref}), not listed here, so a code added to
 * the contract without adding it to {@link WorkerMetrics} fails this test instead of being counted
 * as {@code other}.
 */
class ErrorCodeLabelsTest {

    private static final String SCHEMA = "/schemas/iso-download-outcome.schema.json";

    @Test
    void everyErrorCodeTheContractDocumentsIsItsOwnMetricLabel() throws IOException {
        Set<String> documented = documentedCodes();
        assertThat(documented).as("codes the outcome schema documents").contains("invalid_request", "worker_error");

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WorkerMetrics metrics = new WorkerMetrics(registry);
        for (String code : documented) {
            metrics.requestFinished("failed", code);
        }
        for (String code : documented) {
            var counter = registry.find(WorkerMetrics.REQUESTS).tag("outcome", "failed").tag("code", code).counter();
            assertThat(counter).as("series with code=" + code).isNotNull();
            assertThat(counter.count()).as("code=" + code).isEqualTo(1.0);
        }
        var other = registry.find(WorkerMetrics.REQUESTS).tag("outcome", "failed").tag("code", "other").counter();
        assertThat(other == null ? 0.0 : other.count()).as("documented codes counted as other").isZero();
    }

    @Test
    void theCodesAreReadFromTheSchemasEnums() throws IOException {
        // The reader itself: both of the schema's code lists are found, not just the first.
        JsonNode schema = schema();
        Set<String> direct = new TreeSet<>();
        schema.path("definitions").forEach(d -> d.path("enum").forEach(v -> direct.add(v.asText())));
        assertThat(direct).isNotEmpty();
        assertThat(documentedCodes()).isEqualTo(direct);
    }

    @Test
    void everyCodeTheWorkersSourceGivesAnErrorIsInTheContract() throws IOException {
        // The codes written literally where a JobError is made, and the preflight's refusal codes: a new
        // code that reaches an outcome without being listed in the schema fails here.
        Pattern made = Pattern.compile("(?:JobError\\.of|new JobError)\\(\\s*\"([a-z_]+)\"");
        Pattern refusal = Pattern.compile("String [A-Z_]+ = \"([a-z_]+)\";");
        Set<String> written = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                collect(made.matcher(source), written);
                if (file.endsWith("PreflightResult.java")) {
                    collect(refusal.matcher(source), written);
                }
            }
        }
        assertThat(written).as("codes found in the source").contains("job_lost", "worker_error", "url_redirects", "mount_failed");
        assertThat(documentedCodes()).as("the outcome schema's codes").containsAll(written);
    }

    private static void collect(Matcher m, Set<String> out) {
        while (m.find()) {
            out.add(m.group(1));
        }
    }

    static Set<String> documentedCodes() throws IOException {
        JsonNode schema = schema();
        Set<String> out = new TreeSet<>();
        collectEnums(schema, schema.at("/properties/error/properties/code"), out);
        return out;
    }

    private static void collectEnums(JsonNode root, JsonNode node, Set<String> out) {
        String ref = node.path("$ref").asText("");
        if (ref.startsWith("#/")) {
            collectEnums(root, root.at(ref.substring(1)), out);
        }
        node.path("enum").forEach(v -> out.add(v.asText()));
        for (String combinator : new String[] {"anyOf", "oneOf", "allOf"}) {
            node.path(combinator).forEach(part -> collectEnums(root, part, out));
        }
    }

    private static JsonNode schema() throws IOException {
        try (InputStream in = ErrorCodeLabelsTest.class.getResourceAsStream(SCHEMA)) {
            assertThat(in).as(SCHEMA + " on the class path").isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }
}
