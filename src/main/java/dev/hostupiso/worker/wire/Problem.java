package dev.hostupiso.worker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An error answer from HostUp, read from whichever shape it came in: RFC 7807 problem details, the
 * older {@code {error, message, retryAfter}} body, or something that is not JSON at all (a proxy's
 * HTML page). The worker branches on {@link #code()}, never on prose. Every text is cut to its
 * {@link Bounds} limit on construction, so a hostile body cannot reach a log line or an outcome whole.
 *
 * @param legacyRetryAfterSeconds {@code retryAfter} of the older 429 body, when no header carried it
 */
public record Problem(int status, String code, String title, String detail, List<FieldError> errors,
                      Optional<String> upstreamRequestId, Optional<Long> legacyRetryAfterSeconds) {

    public Problem {
        code = Bounds.truncate(code, Bounds.CODE);
        title = Bounds.truncate(title, Bounds.TITLE);
        detail = Bounds.truncate(detail, Bounds.DETAIL);
        errors = Bounds.fieldErrors(errors);
        upstreamRequestId = Optional.ofNullable(upstreamRequestId).flatMap(o -> o).map(id -> Bounds.truncate(id, Bounds.UPSTREAM_REQUEST_ID));
    }

    public static Problem from(ApiResponse response, ObjectMapper mapper) {
        JsonNode json = JsonFields.readObject(response.body(), mapper);
        int status = response.status();
        if (json == null) {
            return new Problem(status, fallbackCode(status), "Unexpected response",
                    "HTTP " + status + " with a " + response.contentType().orElse("untyped") + " body that is not JSON",
                    List.of(), response.upstreamRequestId(), Optional.empty());
        }
        String code = text(json, "code");
        if (code == null) {
            code = text(json, "error"); // older endpoints: {"error":"rate_limit_exceeded",...}
        }
        String title = text(json, "title");
        String detail = text(json, "detail");
        if (detail == null) {
            detail = text(json, "message");
        }
        List<FieldError> errors = new ArrayList<>();
        JsonNode arr = json.get("errors");
        if (arr != null && arr.isArray()) {
            for (JsonNode e : arr) {
                if (e.isObject()) {
                    errors.add(new FieldError(text(e, "pointer"), text(e, "detail"), text(e, "code")));
                }
            }
        }
        String upstreamRequestId = text(json, "requestId"); // HostUp's id of its answer, not ours
        Optional<Long> legacyRetryAfter = Optional.empty();
        JsonNode ra = json.get("retryAfter");
        if (ra != null && ra.canConvertToLong() && ra.asLong() > 0) {
            legacyRetryAfter = Optional.of(ra.asLong());
        }
        return new Problem(status, code == null ? fallbackCode(status) : code,
                title == null ? "HTTP " + status : title, detail, List.copyOf(errors),
                Optional.ofNullable(upstreamRequestId).or(response::upstreamRequestId), legacyRetryAfter);
    }

    /** A code for answers that carry none: HostUp's own code for the status where one fits. */
    static String fallbackCode(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 429 -> "rate_limited";
            case 500 -> "internal_error";
            case 502, 503, 504 -> "upstream_unavailable";
            default -> "http_" + status;
        };
    }

    private static String text(JsonNode n, String field) {
        return JsonFields.text(n, field).orElse(null);
    }
}
