package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Optional;

/**
 * Lenient reads of HostUp's JSON bodies: an answer that is not what was expected (not JSON, a proxy's
 * HTML page, a field of another type) reads as absent, never as an exception.
 */
final class JsonFields {

    private JsonFields() {
    }

    /** The body as a JSON object; null when it is blank, not JSON, or JSON but not an object. */
    static JsonNode readObject(String body, ObjectMapper mapper) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode n = mapper.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (Exception notJson) {
            return null;
        }
    }

    /** A scalar field as text; empty when missing, null, an object or an array. */
    static Optional<String> text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? Optional.empty() : Optional.of(v.asText());
    }
}
