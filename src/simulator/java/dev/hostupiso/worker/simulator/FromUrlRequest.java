package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Validates a from-url body as HostUp does: every field's error is reported, not only the first. */
final class FromUrlRequest {

    private static final Set<String> DECOMPRESS = Set.of("none", "gzip", "lzo", "zstd", "bzip2");
    private static final int MAX_FILENAME = 255;
    private static final int MAX_URL = 2048;

    /** The valid filename, or null and the errors. */
    final String filename;
    final List<ObjectNode> errors = new ArrayList<>();

    private FromUrlRequest(JsonNode root) {
        checkUrl(root.get("url"));
        this.filename = checkFilename(root.get("filename"));
        JsonNode dc = root.get("decompress");
        if (dc != null && !dc.isNull() && (!dc.isTextual() || !DECOMPRESS.contains(dc.asText()))) {
            errors.add(ProblemRenderer.error("/decompress", "decompress must be one of none, gzip, lzo, zstd, bzip2.",
                    "invalid_value"));
        }
    }

    /** The body checked; null if it is not a JSON object. */
    static FromUrlRequest parse(byte[] body) {
        JsonNode root = parseObject(body);
        return root == null ? null : new FromUrlRequest(root);
    }

    /** The body as a JSON object; null if empty, malformed or not an object. */
    static JsonNode parseObject(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            JsonNode n = HostUpSimulator.JSON.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void checkUrl(JsonNode url) {
        if (url == null || url.isNull() || (url.isTextual() && url.asText().isBlank())) {
            errors.add(ProblemRenderer.error("/url", "url is required.", "missing_required"));
        } else if (!url.isTextual()) {
            errors.add(ProblemRenderer.error("/url", "url must be a string.", "invalid_format"));
        } else if (url.asText().length() > MAX_URL) {
            errors.add(ProblemRenderer.error("/url", "url must be at most " + MAX_URL + " characters.", "too_long"));
        } else {
            checkUri(url.asText().trim());
        }
    }

    private void checkUri(String u) {
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            errors.add(ProblemRenderer.error("/url", "url is not a valid URL.", "invalid_format"));
            return;
        }
        String scheme = uri.getScheme();
        if (scheme == null || uri.isOpaque()) {
            errors.add(ProblemRenderer.error("/url", "url is not a valid absolute URL.", "invalid_format"));
        } else if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            errors.add(ProblemRenderer.error("/url", "url must use http or https.", "invalid_value"));
        } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
            errors.add(ProblemRenderer.error("/url", "url must have a host.", "invalid_format"));
        }
    }

    private String checkFilename(JsonNode fn) {
        if (fn == null || fn.isNull() || (fn.isTextual() && fn.asText().isBlank())) {
            errors.add(ProblemRenderer.error("/filename", "filename is required.", "missing_required"));
            return null;
        }
        if (!fn.isTextual()) {
            errors.add(ProblemRenderer.error("/filename", "filename must be a string.", "invalid_format"));
            return null;
        }
        String f = fn.asText();
        String lower = f.toLowerCase(Locale.ROOT);
        if (f.contains("/") || f.contains("\\") || f.contains("..")) {
            errors.add(ProblemRenderer.error("/filename", "filename must not contain '/', '\\' or '..'.",
                    "invalid_format"));
        } else if (f.length() > MAX_FILENAME) {
            errors.add(ProblemRenderer.error("/filename", "filename must be at most " + MAX_FILENAME
                    + " characters.", "too_long"));
        } else if (!lower.endsWith(".iso") && !lower.endsWith(".img")) {
            errors.add(ProblemRenderer.error("/filename", "filename must end in .iso or .img.", "invalid_value"));
        } else {
            return f;
        }
        return null;
    }
}
