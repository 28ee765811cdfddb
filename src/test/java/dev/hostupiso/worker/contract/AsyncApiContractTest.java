package dev.hostupiso.worker.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.hostupiso.worker.config.TeamTopics;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.intake.DeadLetter;
import dev.hostupiso.worker.ledger.OutcomeRecords;
import dev.hostupiso.worker.testsupport.ContractValidator;
import dev.hostupiso.worker.wire.ApiCalls;
import dev.hostupiso.worker.wire.FieldError;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.OutcomeEvent;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code asyncapi.yaml} is the event contract in a form machines check. This test holds it to the
 * code (topic defaults, the headers {@code OutcomeRecords} writes, the dead-letter headers), to the
 * JSON Schemas it references, and to the event contract's prose (docs/event-contract.md) and the
 * configuration table (docs/configuration.md), in both directions where the prose is meant to be complete.
 */
class AsyncApiContractTest {

    /** JSON Schema draft-07: the schema format the AsyncAPI parser validates (it skips 2020-12 without a word). */
    private static final String JSON_SCHEMA_DRAFT_07 = "application/schema+json;version=draft-07";
    private static final String DRAFT_07 = "http://json-schema.org/draft-07/schema";
    private static final Path RESOURCES = Path.of("src/main/resources");
    private static final Path EVENT_CONTRACT = Path.of("docs/event-contract.md");
    private static final Path CONFIGURATION = Path.of("docs/configuration.md");
    /**
     * Channels whose topic setting is not in WorkerConfig yet (being added with the feature). Each
     * must still be missing there: once the setting exists this test fails until the channel is
     * taken off this list, so its default is checked from then on.
     */
    private static final Set<String> SETTINGS_NOT_YET_IN_CONFIG = Set.of();

    private final ContractValidator contract = ContractValidator.get();
    private final JsonNode doc = contract.document();
    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    // ---- the document's shape ----

    @Test
    void isAnAsyncApi3DocumentWithChannelsOperationsAndMessages() {
        assertThat(doc.path("asyncapi").asText()).isEqualTo("3.0.0");
        assertThat(doc.at("/info/title").asText()).isNotBlank();
        assertThat(doc.at("/info/version").asText()).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(doc.path("channels").size()).isEqualTo(7);
        assertThat(doc.path("operations").size()).isGreaterThanOrEqualTo(5);
        assertThat(doc.at("/components/messages").size()).isGreaterThanOrEqualTo(5);

        for (Map.Entry<String, JsonNode> c : fields(doc.path("channels"))) {
            JsonNode ch = c.getValue();
            if (isTeamChannel(ch)) {
                // A team's topics have no default name: the address is unknown (null) and the setting names them.
                assertThat(ch.path("address").isNull()).as(c.getKey() + " address").isTrue();
                assertThat(ch.path("x-team-setting").asText()).startsWith("hostup.accounts.<name>.");
            } else {
                assertThat(ch.path("address").asText()).as(c.getKey() + " address").isNotBlank();
                assertThat(ch.at("/bindings/kafka/topic").asText()).as(c.getKey() + " kafka topic = address")
                        .isEqualTo(ch.path("address").asText());
            }
            assertThat(ch.path("messages").size()).as(c.getKey() + " messages").isPositive();
            for (JsonNode m : ch.path("messages")) {
                assertThat(m.path("$ref").asText()).startsWith("#/components/messages/");
            }
        }
        Set<String> operatedChannels = new TreeSet<>();
        for (Map.Entry<String, JsonNode> o : fields(doc.path("operations"))) {
            JsonNode op = o.getValue();
            assertThat(op.path("action").asText()).as(o.getKey()).isIn("send", "receive");
            String channelRef = op.at("/channel/$ref").asText();
            assertThat(channelRef).as(o.getKey() + " channel").startsWith("#/channels/");
            operatedChannels.add(channelRef);
            for (JsonNode m : op.path("messages")) {
                // AsyncAPI 3.0: an operation's messages are messages of its own channel.
                assertThat(m.path("$ref").asText()).as(o.getKey() + " message").startsWith(channelRef + "/messages/");
            }
        }
        assertThat(operatedChannels).as("every channel has an operation").hasSize(doc.path("channels").size());
        for (Map.Entry<String, JsonNode> m : fields(doc.at("/components/messages"))) {
            JsonNode payload = m.getValue().path("payload");
            assertThat(payload.path("schemaFormat").asText()).as(m.getKey() + " payload schemaFormat").isEqualTo(JSON_SCHEMA_DRAFT_07);
            assertThat(payload.path("schema").isObject()).as(m.getKey() + " payload schema").isTrue();
            if (m.getValue().has("headers")) {
                assertThat(m.getValue().at("/headers/schemaFormat").asText()).isEqualTo(JSON_SCHEMA_DRAFT_07);
            }
            assertThat(m.getValue().at("/bindings/kafka/key").isObject()).as(m.getKey() + " kafka key schema").isTrue();
        }
    }

    @Test
    void everyReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            if (ref.startsWith("#")) {
                assertThat(doc.at(ref.substring(1)).isMissingNode()).as("dangling " + ref).isFalse();
            } else {
                assertThat(RESOURCES.resolve(ref)).as("referenced file " + ref).isRegularFile();
            }
        }
        // And as the validator reads them: every message's schemas compile with all their $refs.
        for (Map.Entry<String, JsonNode> m : fields(doc.at("/components/messages"))) {
            contract.schema("/components/messages/" + m.getKey() + "/payload/schema");
            if (m.getValue().has("headers")) {
                contract.schema("/components/messages/" + m.getKey() + "/headers/schema");
            }
        }
    }

    @Test
    void everyReferencedSchemaFileIsAValidDraft07SchemaWithItsOwnId() throws IOException {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
        JsonSchema metaSchema = factory.getSchema(SchemaLocation.of(DRAFT_07));
        Set<String> files = referencedSchemaFiles();
        assertThat(files).contains("iso-download-request.schema.json", "iso-download-outcome.schema.json",
                "iso-download-progress.schema.json", "iso-download-ledger-entry.schema.json");
        try (var listing = Files.list(RESOURCES.resolve("schemas"))) {
            assertThat(listing.map(p -> p.getFileName().toString()).collect(Collectors.toSet()))
                    .as("every schema file is part of the document").isEqualTo(files);
        }
        for (String file : files) {
            JsonNode schema = mapper.readTree(RESOURCES.resolve("schemas").resolve(file).toFile());
            assertThat(schema.path("$schema").asText()).as(file).isEqualTo(DRAFT_07 + "#");
            assertThat(schema.path("$id").asText()).as(file).isEqualTo(ContractValidator.SCHEMA_ID_PREFIX + file);
            Set<ValidationMessage> errors = metaSchema.validate(schema);
            assertThat(errors).as(file + " against the draft-07 meta-schema").isEmpty();
            contract.schemaFile(file); // compiles, every $ref resolved
        }
    }

    @Test
    void theMetaSchemaCheckCanFail() {
        JsonSchema metaSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(SchemaLocation.of(DRAFT_07));
        assertThat(metaSchema.validate(mapper.createObjectNode().put("type", "strnig").put("maxLength", -1))).isNotEmpty();
    }

    // ---- the document and the code ----

    @Test
    void everyChannelIsTheTopicTheWorkerIsConfiguredWith() throws IOException {
        Map<String, String> defaults = topicDefaults();
        assertThat(defaults).containsKeys("iso.requests-topic", "iso.events-topic", "iso.dlq-topic", "iso.ledger-topic");
        Map<String, String> documented = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> c : fields(doc.path("channels"))) {
            if (isTeamChannel(c.getValue())) {
                continue;
            }
            String setting = c.getValue().path("x-topic-setting").asText();
            assertThat(setting).as(c.getKey() + " x-topic-setting").startsWith("iso.");
            documented.put(setting, c.getValue().path("address").asText());
        }
        for (String pending : SETTINGS_NOT_YET_IN_CONFIG) {
            assertThat(defaults).as(pending + " is in WorkerConfig now: take it off SETTINGS_NOT_YET_IN_CONFIG").doesNotContainKey(pending);
            assertThat(documented).containsKey(pending);
            documented.remove(pending);
        }
        assertThat(documented).as("channel addresses = WorkerConfig topic defaults").isEqualTo(defaults);

        Properties app = new Properties();
        try (InputStream in = Files.newInputStream(RESOURCES.resolve("application.properties"))) {
            app.load(in);
        }
        // The request channel's topics (the shared one and the teams') are computed by RequestTopicsConfigSource.
        assertThat(app.getProperty("mp.messaging.incoming.iso-requests.topic")).isNull();
        assertThat(app.getProperty("mp.messaging.incoming.iso-requests.group.id"))
                .isEqualTo("${KAFKA_GROUP_ID:" + doc.at("/operations/receiveRequests/bindings/kafka/groupId/default").asText() + "}");
    }

    @Test
    void theLedgerIsCompactedKeyedByRequestIdAndMarkedInternal() {
        JsonNode ledger = doc.at("/channels/ledger");
        assertThat(ledger.path("x-internal").asBoolean()).isTrue();
        assertThat(ledger.at("/bindings/kafka/topicConfiguration/cleanup.policy").toString()).isEqualTo("[\"compact\"]");
        assertThat(doc.at("/components/messages/LedgerEntry/payload/schema/$ref").asText()).isEqualTo("schemas/iso-download-ledger-entry.schema.json");
        assertThat(doc.at("/components/messages/LedgerEntry/bindings/kafka/key/pattern").asText()).isEqualTo(ledgerKeyPattern());
        assertThat(doc.at("/operations/writeLedger/x-internal").asBoolean()).isTrue();
        assertThat(doc.at("/operations/readLedger/x-internal").asBoolean()).isTrue();
    }

    @Test
    void recordsTheWorkerKeysAreKeyedByTheRequestIdAsTheRequestSchemaDefinesIt() throws IOException {
        String pattern = requestIdPattern();
        for (String message : List.of("IsoDownloadCompleted", "IsoDownloadFailed", "IsoDownloadProgress", "LedgerEntry", "LedgerTombstone")) {
            JsonNode key = doc.at("/components/messages/" + message + "/bindings/kafka/key");
            assertThat(key.path("type").asText()).as(message).isEqualTo("string");
            // The ledger keys a team topic's request by <topic>/<requestId>: two teams' requestIds never meet.
            assertThat(key.path("pattern").asText()).as(message).isEqualTo(message.startsWith("Ledger") ? ledgerKeyPattern() : pattern);
            assertThat(doc.at("/components/messages/" + message + "/headers/schema").isMissingNode()
                    || doc.at("/components/schemas/CloudEventHeaders/schema/properties/ce_subject/pattern").asText().equals(pattern)).isTrue();
        }
        JsonNode progress = mapper.readTree(RESOURCES.resolve("schemas/iso-download-progress.schema.json").toFile());
        assertThat(progress.at("/properties/requestId/pattern").asText()).isEqualTo(pattern);
        // Requests and dead letters may come without a key.
        assertThat(contract.violations("/components/messages/IsoDownloadRequest/bindings/kafka/key", mapper.nullNode())).isEmpty();
        assertThat(contract.violations("/components/messages/DeadLetter/bindings/kafka/key", mapper.nullNode())).isEmpty();
        assertThat(contract.violations("/components/messages/LedgerEntry/bindings/kafka/key", mapper.nullNode())).isNotEmpty();
    }

    private String requestIdPattern() {
        try {
            return mapper.readTree(RESOURCES.resolve("schemas/iso-download-request.schema.json").toFile())
                    .at("/properties/requestId/pattern").asText();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void outcomeHeadersAreExactlyWhatOutcomeRecordsWrites() {
        for (OutcomeEvent event : List.of(completed(), failed())) {
            ProducerRecord<String, String> record = outcomeRecords().record(event);
            String message = contract.messageOf("outcomes", header(record, "ce_type"));
            assertThat(message).as("message for " + header(record, "ce_type")).isNotNull();
            Set<String> written = StreamSupport.stream(record.headers().spliterator(), false).map(Header::key)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(written).as(message + ": headers written = headers the contract lists").isEqualTo(headerNames(message));
            assertThat(written).as(message + ": every header written is required").isEqualTo(requiredHeaders(message));
            assertThat(contract.strictViolations(record.topic(), record.key(), record.headers(), record.value())).isEmpty();
        }
    }

    @Test
    void theValidatorFindsBrokenEvents() throws IOException {
        ProducerRecord<String, String> ok = outcomeRecords().record(completed());
        assertThat(contract.violations(ok.topic(), ok.key(), ok.headers(), ok.value())).isEmpty();

        RecordHeaders noSchema = copy(ok, "ce_dataschema", null);
        assertThat(contract.violations(ok.topic(), ok.key(), noSchema, ok.value())).anyMatch(v -> v.contains("ce_dataschema"));
        RecordHeaders badTime = copy(ok, "ce_time", "yesterday");
        assertThat(contract.violations(ok.topic(), ok.key(), badTime, ok.value())).isNotEmpty();
        assertThat(contract.violations(ok.topic(), "other-key", ok.headers(), ok.value())).anyMatch(v -> v.contains("is not the key"));
        String withoutIsoId = ok.value().replace("\"isoId\":\"iso_7\",", "");
        assertThat(contract.violations(ok.topic(), ok.key(), ok.headers(), withoutIsoId)).anyMatch(v -> v.contains("isoId"));
        String completedSayingFailed = ok.value().replace("\"status\":\"completed\"", "\"status\":\"failed\"");
        assertThat(contract.violations(ok.topic(), ok.key(), ok.headers(), completedSayingFailed)).isNotEmpty();
        assertThat(contract.violations("some-other-topic", ok.key(), ok.headers(), ok.value())).isNotEmpty();
        String completedWithError = ok.value().replace("\"status\":\"completed\"",
                "\"status\":\"completed\",\"error\":{\"code\":\"job_failed\",\"title\":\"t\",\"retryable\":false}");
        assertThat(completedWithError).contains("\"error\"");
        assertThat(contract.violations(ok.topic(), ok.key(), ok.headers(), completedWithError)).as("a completed outcome with an error")
                .isNotEmpty();
        ProducerRecord<String, String> failed = outcomeRecords().record(failed());
        com.fasterxml.jackson.databind.node.ObjectNode withoutError = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(failed.value());
        assertThat(withoutError.remove("error")).isNotNull();
        String failedWithoutError = mapper.writeValueAsString(withoutError);
        assertThat(contract.violations(failed.topic(), failed.key(), failed.headers(), failedWithoutError)).as("a failed outcome without an error")
                .isNotEmpty();
    }

    // ---- evolution: fields are only added, consumers ignore unknown ones ----

    @Test
    void everyObjectOfThePublicSchemasAllowsMembersItDoesNotListAndSaysSo() throws IOException {
        for (String file : List.of("iso-download-request.schema.json", "iso-download-outcome.schema.json",
                "iso-download-progress.schema.json")) {
            List<String> objects = new ArrayList<>();
            collectObjectSchemas(mapper.readTree(RESOURCES.resolve("schemas").resolve(file).toFile()), "", objects, file);
            assertThat(objects).as(file + ": object schemas").isNotEmpty();
        }
        // The internal ledger is read by the worker alone, which checks every member it writes.
        JsonNode ledger = mapper.readTree(RESOURCES.resolve("schemas/iso-download-ledger-entry.schema.json").toFile());
        assertThat(ledger.path("additionalProperties").asBoolean(true)).isFalse();
    }

    private void collectObjectSchemas(JsonNode node, String where, List<String> out, String file) {
        if (node.isObject()) {
            // A schema for objects (not an if/not condition that names properties): states additionalProperties: true.
            if (node.has("properties") && node.path("type").toString().contains("\"object\"")) {
                assertThat(node.get("additionalProperties")).as(file + where + ": additionalProperties stated, true").isNotNull();
                assertThat(node.get("additionalProperties").asBoolean()).as(file + where + ": additionalProperties").isTrue();
                out.add(where);
            }
            for (Map.Entry<String, JsonNode> f : fields(node)) {
                collectObjectSchemas(f.getValue(), where + "/" + f.getKey(), out, file);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectObjectSchemas(node.get(i), where + "/" + i, out, file);
            }
        }
    }

    @Test
    void anEventWithMembersANewerWorkerAddsStillConforms() {
        ProducerRecord<String, String> ok = outcomeRecords().record(failed());
        String newer = ok.value().replaceFirst("^\\{", "{\"addedLater\":{\"x\":1},")
                .replace("\"retryable\":false", "\"retryable\":false,\"alsoAddedLater\":true");
        assertThat(newer).contains("addedLater", "alsoAddedLater");
        assertThat(contract.violations(ok.topic(), ok.key(), ok.headers(), newer)).isEmpty();
        // The worker itself writes only what the contract lists: its own tests find an unlisted member.
        assertThat(contract.strictViolations(ok.topic(), ok.key(), ok.headers(), newer))
                .containsExactlyInAnyOrder("value member /addedLater is not in the contract",
                        "value member /error/alsoAddedLater is not in the contract");
        assertThat(contract.strictViolations(ok.topic(), ok.key(), ok.headers(), ok.value())).isEmpty();
        String unknownCode = ok.value().replace("\"code\":\"invalid_request\"", "\"code\":\"some_new_hostup_code\"");
        assertThat(unknownCode).contains("some_new_hostup_code");
        assertThat(contract.violations(ok.topic(), ok.key(), ok.headers(), unknownCode)).as("a code HostUp adds").isEmpty();
    }

    @Test
    void deadLetterHeadersAreTheOnesDeadLetterWrites() {
        Set<String> constants = Set.of(DeadLetter.REASON, DeadLetter.TOPIC, DeadLetter.PARTITION, DeadLetter.OFFSET,
                DeadLetter.TRUNCATED, DeadLetter.ORIGINAL_SIZE, DeadLetter.SHA256);
        assertThat(headerNames("DeadLetter")).isEqualTo(new TreeSet<>(constants));

        DeadLetter dead = new DeadLetter("iso-download-requests", 2, 41, "k".getBytes(StandardCharsets.UTF_8),
                "{\"requestId\":".getBytes(StandardCharsets.UTF_8), List.of(), "value is not JSON");
        for (int limit : new int[] {DeadLetter.WHOLE, 4, DeadLetter.BARE}) {
            ProducerRecord<byte[], byte[]> r = dead.toRecord("iso-download-requests-dlq", limit);
            assertThat(contract.violations(r.topic(), r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                    r.headers(), null)).as("limit " + limit).isEmpty();
        }
        RecordHeaders truncatedWithoutHash = new RecordHeaders();
        dead.toRecord("iso-download-requests-dlq", 4).headers().forEach(h -> {
            if (!h.key().equals(DeadLetter.SHA256)) {
                truncatedWithoutHash.add(h);
            }
        });
        assertThat(contract.violations("iso-download-requests-dlq", "k", truncatedWithoutHash, null)).isNotEmpty();
    }

    // ---- the document, the schemas and the prose ----

    @Test
    void readmeRequestTableListsExactlyTheRequestSchemasFields() throws IOException {
        String readme = Files.readString(EVENT_CONTRACT);
        int start = readme.indexOf("**Request**");
        assertThat(start).isNotNegative();
        int table = readme.indexOf("| field | rules |", start);
        int end = readme.indexOf("\n\n", table);
        Set<String> tableFields = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `([A-Za-z]+)` \\|").matcher(readme.substring(table, end));
        while (m.find()) {
            tableFields.add(m.group(1));
        }
        JsonNode schema = mapper.readTree(RESOURCES.resolve("schemas/iso-download-request.schema.json").toFile());
        Set<String> schemaFields = new TreeSet<>();
        schema.path("properties").fieldNames().forEachRemaining(schemaFields::add);
        assertThat(tableFields).as("event contract request table = request schema properties").isEqualTo(schemaFields);
        Set<String> required = new TreeSet<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        Matcher row = Pattern.compile("(?m)^\\| `([A-Za-z]+)` \\| (required|optional)").matcher(readme.substring(table, end));
        Set<String> readmeRequired = new TreeSet<>();
        while (row.find()) {
            if (row.group(2).equals("required")) {
                readmeRequired.add(row.group(1));
            }
        }
        assertThat(readmeRequired).as("event contract 'required' = schema required").isEqualTo(required);
    }

    @Test
    void everyCloudEventsHeaderTheReadmeNamesIsInTheDocument() throws IOException {
        String contractSection = eventContractSection();
        Set<String> named = matches(contractSection, "`(ce_[a-z]+)");
        assertThat(named).contains("ce_id", "ce_type", "ce_source", "ce_subject", "ce_time", "ce_specversion");
        Set<String> documented = new TreeSet<>(headerNames("IsoDownloadCompleted"));
        assertThat(documented).containsAll(named);
        for (String type : matches(contractSection, "`(dev\\.hostupiso\\.iso\\.download\\.[a-z]+)`")) {
            assertThat(type.endsWith(".progress") ? contract.messageOf("progress", type) : contract.messageOf("outcomes", type))
                    .as(type).isNotNull();
        }
    }

    @Test
    void everyDeadLetterHeaderTheReadmeNamesIsInTheDocumentAndViceVersa() throws IOException {
        Set<String> named = matches(eventContractSection(), "`(dead-letter-[a-z0-9-]+)");
        assertThat(named).isEqualTo(headerNames("DeadLetter"));
    }

    @Test
    void topicsInTheReadmeAreTheDocumentsChannels() throws IOException {
        String readme = Files.readString(EVENT_CONTRACT) + Files.readString(CONFIGURATION);
        Set<String> addresses = new TreeSet<>();
        doc.path("channels").forEach(c -> addresses.add(c.path("address").asText()));
        addresses.remove("null"); // team channels: their names are settings
        assertThat(matches(readme, "`(iso-download-[a-z-]+)`")).as("topics the docs name").isNotEmpty().isSubsetOf(addresses);
        // The configuration table: every ISO_*_TOPIC row is a channel, with the channel's address as default.
        Matcher row = Pattern.compile("(?m)^\\| `ISO_[A-Z_]*TOPIC` \\(`(iso\\.[a-z.-]+)`\\) \\| `([^`]+)` \\|").matcher(readme);
        Map<String, String> table = new LinkedHashMap<>();
        while (row.find()) {
            table.put(row.group(1), row.group(2));
        }
        Map<String, String> bySetting = new LinkedHashMap<>();
        doc.path("channels").forEach(c -> {
            if (!isTeamChannel(c)) {
                bySetting.put(c.path("x-topic-setting").asText(), c.path("address").asText());
            }
        });
        SETTINGS_NOT_YET_IN_CONFIG.forEach(bySetting::remove);
        assertThat(table).as("configuration topic settings = the document's (configured) channels").isEqualTo(bySetting);
    }

    @Test
    void theReadmesExampleRequestIsValid() throws IOException {
        String section = eventContractSection();
        int json = section.indexOf("```json", section.indexOf("**Request**"));
        String example = section.substring(section.indexOf('\n', json) + 1, section.indexOf("```", json + 7));
        assertThat(contract.violations("/components/messages/IsoDownloadRequest/payload/schema", mapper.readTree(example))).isEmpty();
        JsonNode docExample = doc.at("/components/messages/IsoDownloadRequest/examples/0/payload");
        assertThat(contract.violations("/components/messages/IsoDownloadRequest/payload/schema", docExample)).isEmpty();
    }

    // ---- helpers ----

    /** WorkerConfig's topic settings ({@code iso.<name>}) and their defaults, from the annotations. */
    /** Every topic setting of WorkerConfig with its default, nested groups included ({@code iso.progress.topic}). */
    private static Map<String, String> topicDefaults() {
        Map<String, String> out = new LinkedHashMap<>();
        collectTopics(WorkerConfig.class, "iso.", out);
        return out;
    }

    private static void collectTopics(Class<?> group, String prefix, Map<String, String> out) {
        for (Method m : group.getMethods()) {
            WithName name = m.getAnnotation(WithName.class);
            String property = prefix + (name != null ? name.value() : kebab(m.getName()));
            WithDefault def = m.getAnnotation(WithDefault.class);
            if (def != null && (property.endsWith("-topic") || property.endsWith(".topic"))) {
                out.put(property, def.value());
            } else if (m.getReturnType().isInterface() && m.getReturnType().getEnclosingClass() == WorkerConfig.class) {
                collectTopics(m.getReturnType(), property + ".", out);
            }
        }
    }

    private static String kebab(String method) {
        return method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** A ledger key: the requestId, after a team topic's name and a {@code /} for a team's request. */
    private String ledgerKeyPattern() {
        return requestIdPattern().replace("^", "^(?:[A-Za-z0-9._-]{1,249}/)?");
    }

    /** A channel of a team's topics, named by a team's setting rather than a default. */
    private static boolean isTeamChannel(JsonNode channel) {
        return channel.has("x-team-setting");
    }

    private String setting(String channel) {
        return doc.at("/channels/" + channel + "/x-topic-setting").asText();
    }

    /** An OutcomeRecords as the application builds it, on WorkerConfig's defaults. */
    private OutcomeRecords outcomeRecords() {
        WorkerConfig defaults = (WorkerConfig) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {WorkerConfig.class},
                (proxy, method, args) -> {
                    WithDefault d = method.getAnnotation(WithDefault.class);
                    if (d == null || method.getReturnType() != String.class) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return d.value();
                });
        return new OutcomeRecords(mapper, defaults, new TeamTopics("iso-download-requests",
                defaults.eventsTopic(), "iso-download-progress", java.util.Set.of(), Map.of(), Map.of()));
    }

    private final Instant t0 = Instant.parse("2026-11-27T10:00:00Z");

    private OutcomeEvent completed() {
        return new OutcomeEvent("r-42", "vps_1", "x.iso", null, "completed", "iso_7", "job_3", false, 1, new ApiCalls(1, 4, 1, 0),
                null, null, null, t0, t0.plusSeconds(300), null);
    }

    private OutcomeEvent failed() {
        JobError error = new JobError("invalid_request", "Validation failed", "bad", 400, false,
                List.of(new FieldError("/url", "must not redirect", "invalid_value")), "req_1");
        return OutcomeEvent.failed(new IsoRequest("r-43", "vps_1", "ftp://h/x.iso", "x.iso", "none"), null, 0, error, t0,
                t0.plusSeconds(1));
    }

    private static String header(ProducerRecord<String, String> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static RecordHeaders copy(ProducerRecord<String, String> r, String name, String replacement) {
        RecordHeaders h = new RecordHeaders();
        r.headers().forEach(x -> {
            if (!x.key().equals(name)) {
                h.add(x);
            } else if (replacement != null) {
                h.add(name, replacement.getBytes(StandardCharsets.UTF_8));
            }
        });
        return h;
    }

    /** Header names a message's headers schema lists, its allOf parts included. */
    private Set<String> headerNames(String message) {
        Set<String> out = new TreeSet<>();
        collectHeaderKeywords(doc.at("/components/messages/" + message + "/headers/schema"), "properties", out);
        return out;
    }

    private Set<String> requiredHeaders(String message) {
        Set<String> out = new TreeSet<>();
        collectHeaderKeywords(doc.at("/components/messages/" + message + "/headers/schema"), "required", out);
        return out;
    }

    private void collectHeaderKeywords(JsonNode schema, String keyword, Set<String> out) {
        if (schema.has("$ref")) {
            collectHeaderKeywords(doc.at(schema.get("$ref").asText().substring(1)), keyword, out);
        }
        if (keyword.equals("properties")) {
            schema.path("properties").fieldNames().forEachRemaining(out::add);
        } else {
            schema.path("required").forEach(r -> out.add(r.asText()));
        }
        schema.path("allOf").forEach(part -> collectHeaderKeywords(part, keyword, out));
    }

    private Set<String> referencedSchemaFiles() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        return refs.stream().filter(r -> r.startsWith("schemas/")).map(r -> r.substring("schemas/".length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void collectRefs(JsonNode node, List<String> out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> f : fields(node)) {
                if (f.getKey().equals("$ref") && f.getValue().isTextual()) {
                    out.add(f.getValue().asText());
                } else {
                    collectRefs(f.getValue(), out);
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, out));
        }
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    private static String eventContractSection() throws IOException {
        String text = Files.readString(EVENT_CONTRACT);
        assertThat(text).startsWith("# Event contract");
        return text;
    }

    private static Set<String> matches(String text, String regex) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
