package dev.hostupiso.worker.intake;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import dev.hostupiso.worker.intake.RequestParser.Invalid;
import dev.hostupiso.worker.intake.RequestParser.Parsed;
import dev.hostupiso.worker.intake.RequestParser.Poison;
import dev.hostupiso.worker.intake.RequestParser.Valid;
import dev.hostupiso.worker.testsupport.ContractValidator;
import dev.hostupiso.worker.wire.FieldError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request parser and the request schema (as {@code asyncapi.yaml} references it) on a readable
 * corpus, {@code src/test/resources/contract/requests/{valid,invalid}/*.json}: every valid file is
 * accepted by both, every invalid one refused by both, and where the parser answers with a failed
 * event its error pointers are the fields the schema finds wrong. {@code RequestParserProperties}
 * checks the same agreement on generated input; these files are the cases a reader can open, and
 * the place to add one when a rule changes.
 */
class RequestCorpusTest {

    private static final Path CORPUS = Path.of("src/test/resources/contract/requests");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** One JSON document as the contract counts it: no duplicate keys, nothing after the value. */
    private static final ObjectReader STRICT = MAPPER.reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final RequestParser parser = new RequestParser(MAPPER);
    private final JsonSchema schema = ContractValidator.get().schema("/components/messages/IsoDownloadRequest/payload/schema");

    static Stream<Path> valid() throws IOException {
        return files("valid");
    }

    static Stream<Path> invalid() throws IOException {
        return files("invalid");
    }

    @ParameterizedTest(name = "valid/{0}")
    @MethodSource("valid")
    void validRequestsAreAcceptedByParserAndSchema(Path file) throws IOException {
        String text = Files.readString(file);
        JsonNode doc = STRICT.readTree(text);
        assertThat(schema.validate(doc)).as("schema errors").isEmpty();
        Parsed parsed = parser.parse(text);
        assertThat(parsed).isInstanceOf(Valid.class);
        Valid v = (Valid) parsed;
        assertThat(v.request().requestId()).isEqualTo(doc.get("requestId").asText());
        assertThat(v.request().url()).isEqualTo(doc.get("url").asText());
        assertThat(v.request().filename()).isEqualTo(doc.get("filename").asText());
        assertThat(v.request().decompress()).isEqualTo(doc.hasNonNull("decompress") ? doc.get("decompress").asText() : "none");
    }

    @ParameterizedTest(name = "invalid/{0}")
    @MethodSource("invalid")
    void invalidRequestsAreRefusedByParserAndSchema(Path file) throws IOException {
        String text = Files.readString(file);
        JsonNode doc = strict(text);
        // A repeated member: JSON Schema sees one value (the last), the parser answers with the repeated member's pointer.
        String repeated = RepeatedMembers.first(text);
        if (repeated != null) {
            doc = RepeatedMembers.lastWins(text);
        }
        Set<String> schemaFields = new TreeSet<>();
        if (doc != null) {
            Set<ValidationMessage> errors = schema.validate(doc);
            assertThat(errors.isEmpty() && repeated == null).as("the schema refuses it").isFalse();
            for (ValidationMessage m : errors) {
                schemaFields.add("required".equals(m.getType()) ? "/" + m.getProperty() : m.getInstanceLocation().toString());
            }
        }
        Parsed parsed = parser.parse(text);
        assertThat(parsed).as("the parser refuses it").isNotInstanceOf(Valid.class);
        if (repeated != null) {
            schemaFields.add(repeated);
        }
        boolean requestIdBroken = doc == null || !doc.isObject() || schemaFields.remove("/requestId");
        if (requestIdBroken) {
            assertThat(parsed).as("unanswerable: dead-lettered").isInstanceOf(Poison.class);
        } else {
            assertThat(parsed).as("answerable: a failed event").isInstanceOf(Invalid.class);
            Set<String> parserFields = ((Invalid) parsed).errors().stream().map(FieldError::pointer)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(parserFields).as("fields in error").isEqualTo(schemaFields);
        }
    }

    @Test
    void theCorpusCoversBothSidesOfEveryRule() throws IOException {
        List<String> valid = valid().map(p -> p.getFileName().toString()).toList();
        List<String> invalid = invalid().map(p -> p.getFileName().toString()).toList();
        assertThat(valid.size() + invalid.size()).isGreaterThanOrEqualTo(30);
        for (String field : List.of("request-id", "vps-id", "url", "filename", "decompress")) {
            assertThat(valid).as("a valid case for " + field).anyMatch(n -> n.startsWith(field));
            assertThat(invalid).as("an invalid case for " + field).anyMatch(n -> n.startsWith(field));
        }
    }

    private static Stream<Path> files(String dir) throws IOException {
        try (Stream<Path> s = Files.list(CORPUS.resolve(dir))) {
            List<Path> list = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            assertThat(list).as(dir + " corpus").isNotEmpty();
            return list.stream();
        }
    }

    private static JsonNode strict(String text) {
        try {
            return STRICT.readTree(text);
        } catch (Exception notOneDocument) {
            return null;
        }
    }
}
