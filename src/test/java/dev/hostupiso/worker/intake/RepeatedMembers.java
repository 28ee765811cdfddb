package dev.hostupiso.worker.intake;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * The tests' own view of a repeated member, independent of the parser's: Jackson's strict reader
 * names the first one; JSON Schema sees a single value, the last. The parser answers such a record
 * (an error at the member's pointer) unless the member is the requestId.
 */
final class RepeatedMembers {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectReader STRICT = MAPPER.reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectReader LAST_WINS = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String DUPLICATE = "Duplicate field '";

    private RepeatedMembers() {
    }

    /** The JSON pointer of the first member {@code text} repeats, or null (also when it is no JSON at all). */
    static String first(String text) {
        try {
            STRICT.readTree(text);
            return null;
        } catch (JsonParseException e) {
            String message = e.getMessage();
            if (message == null || !message.startsWith(DUPLICATE) || e.getProcessor() == null) {
                return null;
            }
            return e.getProcessor().getParsingContext().pathAsPointer().toString();
        } catch (Exception e) {
            return null;
        }
    }

    /** {@code text} as JSON Schema sees it, a repeated member's last value kept; null when it is not one JSON document. */
    static JsonNode lastWins(String text) {
        try {
            return LAST_WINS.readTree(text);
        } catch (Exception e) {
            return null;
        }
    }
}
