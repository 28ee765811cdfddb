package dev.hostupiso.worker.intake;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.FieldError;
import dev.hostupiso.worker.wire.IsoRequest.MountRequest;
import dev.hostupiso.worker.wire.IsoRequest;
import jakarta.enterprise.context.ApplicationScoped;

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
 *
 * <p>The rules are exactly those of {@code schemas/iso-download-request.schema.json}: a record is
 * {@link Valid} if and only if that schema accepts its value (the patterns below are the schema's,
 * character for character; lengths count code points, as JSON Schema does). The JSON is read
 * strictly ({@link RequestReader}): content after the value, or a value beyond the reader's limits
 * (nesting, number, string and name lengths) make the record {@link Poison}, and so does a repeated
 * {@code requestId}, since which request it is would not be certain. Any other repeated member is
 * {@link Invalid}, answered with the repeated member's pointer (code {@code duplicate_member}).
 * The request values an {@link Invalid} echoes back are cut to the contract's maxima
 * ({@link Bounds#truncate}); no exception escapes {@link #parse}.
 */
@ApplicationScoped
public class RequestParser {

    /** End of input: {@code $} would also match before a final line break in Java's regex dialect. */
    private static final String END = "(?![\\s\\S])";
    static final String REQUEST_ID_PATTERN = "^[A-Za-z0-9._:-]{1,128}" + END;
    static final String VPS_ID_PATTERN = "^[A-Za-z0-9_-]{1,128}" + END;
    /**
     * An absolute http(s) URI (RFC 3986) with a host: printable ASCII, well-formed percent escapes,
     * optional userinfo and port, then path, query and fragment. No loop over an alternation, so long
     * inputs cannot exhaust the regex engine's stack.
     */
    static final String URL_PATTERN = "^(?![\\s\\S]*%(?![0-9A-Fa-f]{2}))[Hh][Tt][Tt][Pp][Ss]?://"
            + "(?:[A-Za-z0-9._~!$&'()*+,;=:%-]*@)?"
            + "(?:[A-Za-z0-9._~!$&'()*+,;=%-]+|\\[[0-9A-Fa-f:.]+\\])"
            + "(?::[0-9]*)?"
            + "(?:/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?"
            + "(?:\\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?"
            + "(?:#[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?" + END;
    /** No {@code ..}, no path separator, no C0/C1 control character, no unpaired surrogate; ends .iso/.img. */
    static final String FILENAME_PATTERN = "^(?![\\s\\S]*\\.\\.)[^/\\\\\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff]+"
            + "\\.(?:[Ii][Ss][Oo]|[Ii][Mm][Gg])" + END;

    static final String ACCOUNT_PATTERN = "^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?" + END;
    static final String DEVICE_PATTERN = "^[a-z]+[0-9]+" + END;

    static final Pattern REQUEST_ID = Pattern.compile(REQUEST_ID_PATTERN);
    static final Pattern ACCOUNT = Pattern.compile(ACCOUNT_PATTERN);
    static final Pattern DEVICE = Pattern.compile(DEVICE_PATTERN);
    static final Pattern VPS_ID = Pattern.compile(VPS_ID_PATTERN);
    static final Pattern URL = Pattern.compile(URL_PATTERN);
    static final Pattern HTTP_SCHEME = Pattern.compile("^[Hh][Tt][Tt][Pp][Ss]?://");
    static final Pattern FILENAME = Pattern.compile(FILENAME_PATTERN);
    static final Set<String> DECOMPRESS = Set.of("none", "gzip", "lzo", "zstd", "bzip2");
    static final int MAX_URL = Bounds.URL;
    static final int MAX_FILENAME = Bounds.FILENAME;

    /** What a record turned out to be. */
    public sealed interface Parsed permits Valid, Invalid, Poison {
    }

    public record Valid(IsoRequest request) implements Parsed {
    }

    /**
     * Answerable, but breaks the contract: {@code request} holds what could be read (fields may be
     * null), each value cut to its contract maximum; {@code errors} has at least one entry.
     */
    public record Invalid(IsoRequest request, List<FieldError> errors) implements Parsed {
    }

    /** Not answerable: goes to the dead-letter topic with {@code reason} (a fixed text, never input). */
    public record Poison(String reason) implements Parsed {
    }

    private final RequestReader reader;

    public RequestParser(ObjectMapper mapper) {
        this.reader = new RequestReader(mapper);
    }

    public Parsed parse(String value) {
        if (value == null) {
            return new Poison("record has no value");
        }
        RequestReader.Read read;
        try {
            read = reader.read(value);
        } catch (Exception e) {
            return new Poison(notJson(e));
        }
        JsonNode root = read.root();
        if (root == null || !root.isObject()) {
            return new Poison("value is not a JSON object");
        }
        if ("/requestId".equals(read.repeated())) {
            return new Poison("value is not valid JSON: duplicate key"); // which request is it?
        }
        JsonNode rid = root.get("requestId");
        if (rid == null || rid.isNull()) {
            return new Poison("requestId is missing");
        }
        if (!rid.isTextual() || !REQUEST_ID.matcher(rid.asText()).find()) {
            return new Poison("requestId must be 1-128 characters of [A-Za-z0-9._:-]");
        }
        return validate(rid.asText(), root, read.repeated());
    }

    /** Why a value could not be read as JSON: a fixed text, never input. */
    private static String notJson(Exception e) {
        if (e instanceof StreamConstraintsException) {
            return "value is not valid JSON: beyond the reader's limits (nesting, number or string length)";
        }
        if (e instanceof MismatchedInputException) {
            return "value is not valid JSON: content after the value";
        }
        return "value is not JSON";
    }

    /**
     * The fields of an answerable request: valid, or invalid with every rule it breaks. A member
     * {@code repeated} (a pointer, or null) is reported first; the value checked is its last one.
     */
    private static Parsed validate(String requestId, JsonNode root, String repeated) {
        List<FieldError> errors = new ArrayList<>();
        if (repeated != null) {
            errors.add(new FieldError(repeated, "appears more than once in its object, so which value is meant is not certain",
                    "duplicate_member"));
        }
        String vpsId = string(root, "vpsId", errors);
        String url = string(root, "url", errors);
        String filename = string(root, "filename", errors);
        String decompress = root.hasNonNull("decompress") ? string(root, "decompress", errors) : "none";
        if (vpsId != null && !VPS_ID.matcher(vpsId).find()) {
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
        String account = account(root, errors);
        MountRequest mount = mount(root, errors);
        if (errors.isEmpty()) {
            return new Valid(new IsoRequest(requestId, vpsId, url, filename, decompress, account, mount));
        }
        // Echoed back in the failed outcome and stored in the ledger: never more than the contract allows.
        IsoRequest echo = new IsoRequest(requestId, Bounds.truncate(vpsId, Bounds.VPS_ID),
                Bounds.truncate(url, Bounds.URL), Bounds.truncate(filename, Bounds.FILENAME),
                Bounds.truncate(decompress, Bounds.DECOMPRESS), account, mount);
        return new Invalid(echo, List.copyOf(errors));
    }

    /** The optional account: null when absent, null or broken (a broken one is reported, never echoed). */
    private static String account(JsonNode root, List<FieldError> errors) {
        JsonNode n = root.get("account");
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            errors.add(new FieldError("/account", "account must be a string", "invalid_format"));
            return null;
        }
        if (!ACCOUNT.matcher(n.asText()).find()) {
            errors.add(new FieldError("/account",
                    "must be 1-32 characters of [a-z0-9-], not starting or ending with '-'", "invalid_format"));
            return null;
        }
        return n.asText();
    }

    /** The optional mount: null when absent or null; unknown members are ignored. */
    private static MountRequest mount(JsonNode root, List<FieldError> errors) {
        JsonNode n = root.get("mount");
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            errors.add(new FieldError("/mount", "mount must be an object", "invalid_format"));
            return null;
        }
        JsonNode device = n.get("device");
        if (device == null) {
            return new MountRequest(null);
        }
        if (!device.isTextual()) {
            errors.add(new FieldError("/mount/device", "device must be a string", "invalid_format"));
            return null;
        }
        String d = device.asText();
        if (d.codePointCount(0, d.length()) > Bounds.MOUNT_DEVICE) {
            errors.add(new FieldError("/mount/device", "must be at most " + Bounds.MOUNT_DEVICE + " characters", "too_long"));
            return null;
        }
        if (!DEVICE.matcher(d).find()) {
            errors.add(new FieldError("/mount/device", "must be a drive name such as ide2: letters then digits", "invalid_format"));
            return null;
        }
        return new MountRequest(d);
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
        if (url.codePointCount(0, url.length()) > MAX_URL) {
            errors.add(new FieldError("/url", "must be at most " + MAX_URL + " characters", "too_long"));
        } else if (!HTTP_SCHEME.matcher(url).find()) {
            errors.add(new FieldError("/url", "must be an http or https URL", "invalid_value"));
        } else if (!URL.matcher(url).find()) {
            errors.add(new FieldError("/url",
                    "must be an absolute URL with a host, in printable ASCII with valid %-escapes (RFC 3986)", "invalid_format"));
        }
    }

    static void checkFilename(String name, List<FieldError> errors) {
        if (name.codePointCount(0, name.length()) > MAX_FILENAME) {
            errors.add(new FieldError("/filename", "must be at most " + MAX_FILENAME + " characters", "too_long"));
        } else if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.contains("..")) {
            errors.add(new FieldError("/filename", "must be a plain file name: no path separators and no '..'", "invalid_format"));
        } else if (name.chars().anyMatch(Character::isISOControl) || hasUnpairedSurrogate(name)) {
            errors.add(new FieldError("/filename", "must not contain control characters or unpaired surrogates", "invalid_format"));
        } else if (!FILENAME.matcher(name).find()) {
            errors.add(new FieldError("/filename", "must end in .iso or .img", "invalid_value"));
        }
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
