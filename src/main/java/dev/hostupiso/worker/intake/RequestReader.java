package dev.hostupiso.worker.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads a request record's value as one JSON document within fixed limits. The limits are part of
 * the event contract, set here rather than left to the JSON library's defaults (which have changed
 * between its versions): a value beyond one of them cannot be read, so its record goes to the
 * dead-letter topic. Members repeated in an object are found and reported by JSON pointer, since
 * which of the values is meant is not certain; the tree keeps the last one.
 */
final class RequestReader {

    /** Deepest nesting of objects and arrays, the request object itself being the first level. */
    static final int MAX_NESTING_DEPTH = 1_000;
    /** Longest number, in characters. */
    static final int MAX_NUMBER_LENGTH = 1_000;
    /** Longest string value, in UTF-16 units: 1 MiB, more than a record within Kafka's default 1 MB limit can hold. */
    static final int MAX_STRING_LENGTH = 1_048_576;
    /** Longest member name, in UTF-16 units. */
    static final int MAX_NAME_LENGTH = 50_000;

    static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxStringLength(MAX_STRING_LENGTH)
            .maxNameLength(MAX_NAME_LENGTH)
            .build();

    /**
     * A value read: its tree, and the JSON pointer of the first member that an object repeats
     * ({@code /filename}, {@code /mount/device}), or null when none is repeated.
     */
    record Read(JsonNode root, String repeated) {
    }

    private final JsonFactory factory;
    private final ObjectReader reader;

    /** Reads with {@code mapper}'s settings, but its own limits (the application's mapper stays as it is). */
    RequestReader(ObjectMapper mapper) {
        this.factory = JsonFactory.builder().streamReadConstraints(LIMITS).build();
        this.reader = mapper.copyWith(factory).reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** The value as a tree; throws when it is not one JSON document within the limits. */
    Read read(String value) throws IOException {
        JsonNode root = reader.readTree(value);
        return new Read(root, root != null && root.isContainerNode() ? firstRepeatedMember(value) : null);
    }

    /** A second pass over a value already read whole: the pointer of the first repeated member, or null. */
    private String firstRepeatedMember(String value) throws IOException {
        Deque<Set<String>> objects = new ArrayDeque<>();
        try (JsonParser p = factory.createParser(value)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.START_OBJECT) {
                    objects.push(new HashSet<>());
                } else if (t == JsonToken.END_OBJECT) {
                    objects.pop();
                } else if (t == JsonToken.FIELD_NAME && !objects.peek().add(p.currentName())) {
                    return p.getParsingContext().pathAsPointer().toString();
                }
                if (t.isStructEnd() && p.getParsingContext().inRoot()) {
                    return null;
                }
            }
        }
        return null;
    }
}
