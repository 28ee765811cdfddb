package dev.hostupiso.worker.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * The tests' own view of a repeated member, independent of the parser's: Jackson's strict reader
 * names the first one; JSON Schema sees a single value, the last. The parser answers such a record
 * (an error at the member's pointer) unless the member is the requestId. Both read within the contract's
 * documented limits (docs/event-contract.md), as the worker does: a record beyond them is no JSON document
 * the contract answers, whether or not it also repeats a member.
 */
final class RepeatedMembers {

    /** The contract's limits, written out here rather than read from the class under test. */
    static final StreamReadConstraints CONTRACT_LIMITS = StreamReadConstraints.builder().maxNestingDepth(1_000)
            .maxNumberLength(1_000).maxStringLength(1_048_576).maxNameLength(50_000).build();
    private static final ObjectMapper MAPPER = new ObjectMapper(
            JsonFactory.builder().streamReadConstraints(CONTRACT_LIMITS).build());
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
