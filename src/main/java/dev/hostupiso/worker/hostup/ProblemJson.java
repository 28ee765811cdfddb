package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.FieldError;
import dev.hostupiso.worker.wire.Problem;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Problem} read from an error answer of HostUp, whichever shape it came in: RFC 7807 problem details,
 * the older {@code {error, message, retryAfter}} body, or something that is not JSON at all (a proxy's HTML page).
 */
public final class ProblemJson {

    private ProblemJson() {
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
