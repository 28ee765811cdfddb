package dev.hostupiso.worker.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.hostup.FieldError;
import dev.hostupiso.worker.job.IsoRequest;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a request record and checks it against the event contract, locally, before any API call.
 * A record that cannot be answered (not a JSON object, no usable {@code requestId}) is
 * {@link Poison}; any other rule broken is {@link Invalid}, answered with a failed event carrying
 * JSON-pointer {@code errors[]} in HostUp's own shape.
 */
@ApplicationScoped
public class RequestParser {

    static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    static final Pattern VPS_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    static final Set<String> DECOMPRESS = Set.of("none", "gzip", "lzo", "zstd", "bzip2");
    static final int MAX_URL = 2048;
    static final int MAX_FILENAME = 255;

    /** What a record turned out to be. */
    public sealed interface Parsed permits Valid, Invalid, Poison {
    }

    public record Valid(IsoRequest request) implements Parsed {
    }

    /** Answerable, but breaks the contract: {@code request} holds what could be read (fields may be null). */
    public record Invalid(IsoRequest request, List<FieldError> errors) implements Parsed {
    }

    /** Not answerable: goes to the dead-letter topic with {@code reason}. */
    public record Poison(String reason) implements Parsed {
    }

    private final ObjectMapper mapper;

    public RequestParser(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public Parsed parse(String value) {
        if (value == null) {
            return new Poison("record has no value");
        }
        JsonNode root;
        try {
            root = mapper.readTree(value);
        } catch (Exception e) {
            return new Poison("value is not JSON");
        }
        if (root == null || !root.isObject()) {
            return new Poison("value is not a JSON object");
        }
        JsonNode rid = root.get("requestId");
        if (rid == null || rid.isNull()) {
            return new Poison("requestId is missing");
        }
        if (!rid.isTextual() || !REQUEST_ID.matcher(rid.asText()).matches()) {
            return new Poison("requestId must be 1-128 characters of [A-Za-z0-9._:-]");
        }
        List<FieldError> errors = new ArrayList<>();
        String vpsId = string(root, "vpsId", errors);
        String url = string(root, "url", errors);
        String filename = string(root, "filename", errors);
        String decompress = root.hasNonNull("decompress") ? string(root, "decompress", errors) : "none";

        if (vpsId != null && !VPS_ID.matcher(vpsId).matches()) {
            errors.add(new FieldError("/vpsId", "must be a HostUp VPS id: 1-128 characters of [A-Za-z0-9_-]", "invalid_format"));
        }
        if (url != null) {
            checkUrl(url, errors);
        }
        if (filename != null) {
            checkFilename(filename, errors);
        }
        if (decompress != null && !DECOMPRESS.contains(decompress)) {
            errors.add(new FieldError("/decompress", "must be one of none, gzip, lzo, zstd, bzip2", "invalid_value"));
        }
        IsoRequest request = new IsoRequest(rid.asText(), vpsId, url, filename, decompress);
        return errors.isEmpty() ? new Valid(request) : new Invalid(request, List.copyOf(errors));
    }

    private static String string(JsonNode root, String field, List<FieldError> errors) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            errors.add(new FieldError("/" + field, field + " is required", "missing_required"));
            return null;
        }
        if (!n.isTextual()) {
            errors.add(new FieldError("/" + field, field + " must be a string", "invalid_format"));
            return null;
        }
        return n.asText();
    }

    static void checkUrl(String url, List<FieldError> errors) {
        if (url.length() > MAX_URL) {
            errors.add(new FieldError("/url", "must be at most " + MAX_URL + " characters", "too_long"));
            return;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            errors.add(new FieldError("/url", "is not a valid URL", "invalid_format"));
            return;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            errors.add(new FieldError("/url", "must be an http or https URL", "invalid_value"));
        } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
            errors.add(new FieldError("/url", "must name a host", "invalid_format"));
        }
    }

    static void checkFilename(String name, List<FieldError> errors) {
        if (name.length() > MAX_FILENAME) {
            errors.add(new FieldError("/filename", "must be at most " + MAX_FILENAME + " characters", "too_long"));
        } else if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.contains("..")) {
            errors.add(new FieldError("/filename", "must be a plain file name: no path separators and no '..'", "invalid_format"));
        } else if (name.chars().anyMatch(c -> Character.isISOControl(c) || c == 0x7f)) {
            errors.add(new FieldError("/filename", "must not contain control characters", "invalid_format"));
        } else {
            String lower = name.toLowerCase(Locale.ROOT);
            if ((!lower.endsWith(".iso") && !lower.endsWith(".img")) || lower.length() <= 4) {
                errors.add(new FieldError("/filename", "must end in .iso or .img", "invalid_value"));
            }
        }
    }
}
