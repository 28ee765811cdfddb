package dev.hostupiso.worker.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks records against the event contract as {@code asyncapi.yaml} states it, with a real JSON
 * Schema validator (draft-07, as the schemas declare; formats asserted): the channel is found by the record's topic,
 * the message by its {@code ce_type}, then the key, the headers and the value are validated against
 * that message's schemas, and the CloudEvents attributes against the value ({@code ce_subject} =
 * key = {@code requestId}, {@code ce_time} = the field the message names in
 * {@code x-ce-time-field}). Tests call {@link #assertConforms} on every event they observe, which
 * also finds value members the schemas do not list: the schemas are open for consumers, but the
 * worker writes only what the contract names ({@link DeclaredMembers}).
 */
public final class ContractValidator {

    /** The schemas' {@code $id}s live under this prefix; they are read from the class path instead. */
    public static final String SCHEMA_ID_PREFIX = "https://github.com/hostup-iso-worker/hostup-iso-worker/schemas/";
    public static final String DOCUMENT = "asyncapi.yaml";

    private static final ContractValidator INSTANCE = new ContractValidator();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode document;
    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config;
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();
    private final DeclaredMembers declared;

    private ContractValidator() {
        try (InputStream in = ContractValidator.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException(DOCUMENT + " is not on the class path");
            }
            document = new YAMLMapper().readTree(in);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
        factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7,
                b -> b.schemaMappers(m -> m.mapPrefix(SCHEMA_ID_PREFIX, "classpath:schemas/")));
        declared = new DeclaredMembers(document);
        config = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).formatAssertionsEnabled(true).build();
    }

    public static ContractValidator get() {
        return INSTANCE;
    }

    /** The AsyncAPI document, as read. */
    public JsonNode document() {
        return document;
    }

    /**
     * The schema at {@code pointer}, a JSON pointer into the AsyncAPI document (e.g.
     * {@code /components/messages/IsoDownloadCompleted/payload/schema}); relative {@code $ref}s
     * resolve beside the document, {@code $id}s under {@link #SCHEMA_ID_PREFIX} to the class path.
     */
    public JsonSchema schema(String pointer) {
        return schemas.computeIfAbsent(pointer, p -> {
            JsonSchema s = factory.getSchema(SchemaLocation.of("classpath:" + DOCUMENT + "#" + p), config);
            s.initializeValidators(); // resolve every $ref now: a dangling one fails here, not on some later event
            return s;
        });
    }

    /** A schema file under {@code schemas/}, by file name. */
    public JsonSchema schemaFile(String fileName) {
        return schemas.computeIfAbsent("file:" + fileName, f -> {
            JsonSchema s = factory.getSchema(SchemaLocation.of("classpath:schemas/" + fileName), config);
            s.initializeValidators();
            return s;
        });
    }

    /** Violations of {@code instance} against the schema at {@code pointer}, as readable lines; empty when valid. */
    public List<String> violations(String pointer, JsonNode instance) {
        List<String> out = new ArrayList<>();
        for (ValidationMessage m : schema(pointer).validate(instance)) {
            out.add(pointer + ": " + m.getMessage());
        }
        return out;
    }

    /** Fails with every violation of {@code record} (a string-valued record of any topic of the document). */
    public void assertConforms(ConsumerRecord<String, String> record) {
        List<String> v = strictViolations(record.topic(), record.key(), record.headers(), record.value());
        if (!v.isEmpty()) {
            throw new AssertionError("record " + record.topic() + "-" + record.partition() + "@" + record.offset() + " key=" + record.key()
                    + " breaks the contract:\n  " + String.join("\n  ", v) + "\nvalue: " + record.value());
        }
    }

    /**
     * Fails with every violation of {@code record}, read as a record of {@code channel} (its id): for
     * topics whose names are settings, such as a team's own events topic.
     */
    public void assertConformsAs(String channel, ConsumerRecord<String, String> record) {
        List<String> v = channelViolations(channel, record.key(), record.headers(), record.value(), true);
        if (!v.isEmpty()) {
            throw new AssertionError("record " + record.topic() + "-" + record.partition() + "@" + record.offset() + " key=" + record.key()
                    + " breaks the contract of channel " + channel + ":\n  " + String.join("\n  ", v) + "\nvalue: " + record.value());
        }
    }

    /** Every way a record breaks the contract as a consumer reads it (members it does not list allowed); empty when it conforms. */
    public List<String> violations(String topic, String key, Headers headers, String value) {
        return check(topic, key, headers, value, false);
    }

    /** As {@link #violations}, and also every value member the schemas do not list: what the worker itself must meet. */
    public List<String> strictViolations(String topic, String key, Headers headers, String value) {
        return check(topic, key, headers, value, true);
    }

    private List<String> check(String topic, String key, Headers headers, String value, boolean strict) {
        List<String> out = new ArrayList<>();
        String channel = channelOf(topic);
        if (channel == null) {
            out.add("no channel of " + DOCUMENT + " has the address " + topic);
            return out;
        }
        return channelViolations(channel, key, headers, value, strict);
    }

    private List<String> channelViolations(String channel, String key, Headers headers, String value, boolean strict) {
        List<String> out = new ArrayList<>();
        ObjectNode headerObject = JSON.createObjectNode();
        Set<String> seen = new HashSet<>();
        for (Header h : headers) {
            if (!seen.add(h.key()) && (h.key().startsWith("ce_") || h.key().equals("content-type"))) {
                out.add("header " + h.key() + " appears more than once");
            }
            headerObject.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        String ceType = headerObject.path("ce_type").asText(null);
        String message = messageOf(channel, ceType);
        if (message == null && ceType == null) {
            // Not a CloudEvent (the ledger: entries and tombstones): the message whose schemas it breaks least.
            List<String> best = null;
            for (String candidate : messagesOf(channel)) {
                List<String> v = messageViolations(candidate, key, headerObject, value, strict);
                if (best == null || v.size() < best.size()) {
                    best = v;
                }
            }
            out.addAll(best == null ? List.of("channel " + channel + " has no messages") : best);
            return out;
        }
        if (message == null) {
            out.add("no message of channel " + channel + " has ce_type " + ceType);
            return out;
        }
        out.addAll(messageViolations(message, key, headerObject, value, strict));
        return out;
    }

    private List<String> messageViolations(String message, String key, ObjectNode headerObject, String value, boolean strict) {
        List<String> out = new ArrayList<>();
        String base = "/components/messages/" + message;
        JsonNode msg = document.at(base);
        if (msg.has("headers")) {
            out.addAll(violations(base + "/headers/schema", headerObject));
        }
        if (msg.at("/bindings/kafka/key").isObject()) {
            out.addAll(keyViolations(base, key));
        }
        String contentType = msg.path("contentType").asText(document.path("defaultContentType").asText("application/json"));
        JsonNode payload = value == null ? JSON.nullNode()
                : contentType.equals("application/json") ? parse(value, out) : JSON.getNodeFactory().textNode(value);
        if (payload != null) {
            out.addAll(violations(base + "/payload/schema", payload));
            if (strict) {
                declared.undeclared(base + "/payload/schema", payload).forEach(m -> out.add("value member " + m + " is not in the contract"));
            }
        }
        if (headerObject.has("ce_subject") && payload != null && payload.isObject()) {
            String subject = headerObject.get("ce_subject").asText();
            if (!subject.equals(key)) {
                out.add("ce_subject " + subject + " is not the key " + key);
            }
            if (!subject.equals(payload.path("requestId").asText(null))) {
                out.add("ce_subject " + subject + " is not the value's requestId " + payload.path("requestId"));
            }
            String timeField = msg.path("x-ce-time-field").asText(null);
            if (timeField != null && !headerObject.path("ce_time").asText("").equals(payload.path(timeField).asText(null))) {
                out.add("ce_time " + headerObject.path("ce_time") + " is not the value's " + timeField + " " + payload.path(timeField));
            }
        }
        return out;
    }

    private List<String> keyViolations(String base, String key) {
        // A record without a key is checked as null: only a schema that allows null accepts it.
        return violations(base + "/bindings/kafka/key", key == null ? JSON.nullNode() : JSON.getNodeFactory().textNode(key));
    }

    private static JsonNode parse(String value, List<String> out) {
        try {
            return JSON.readTree(value);
        } catch (Exception e) {
            out.add("value is not JSON: " + e.getMessage());
            return null;
        }
    }

    /** The component messages (their ids) a channel carries. */
    public List<String> messagesOf(String channel) {
        List<String> ids = new ArrayList<>();
        for (JsonNode ref : document.path("channels").path(channel).path("messages")) {
            ids.add(ref.path("$ref").asText().replace("#/components/messages/", ""));
        }
        return ids;
    }

    /** The channel (its id) whose address is {@code topic}, or null. */
    public String channelOf(String topic) {
        for (Iterator<Map.Entry<String, JsonNode>> it = document.path("channels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> c = it.next();
            if (topic.equals(c.getValue().path("address").asText(null))) {
                return c.getKey();
            }
        }
        return null;
    }

    /**
     * The component message (its id) of {@code channel} that a record with {@code ceType} is: the one
     * whose headers fix {@code ce_type} to it, or the channel's only message.
     */
    public String messageOf(String channel, String ceType) {
        List<String> ids = messagesOf(channel);
        for (String id : ids) {
            JsonNode type = document.at("/components/messages/" + id + "/headers/schema/properties/ce_type/const");
            if (!type.isMissingNode() && type.asText().equals(ceType)) {
                return id;
            }
        }
        return ids.size() == 1 ? ids.get(0) : null;
    }
}
