package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Renders the simulator's error bodies: RFC 7807 problems (HostUp's format), a reverse proxy's HTML error page,
 * and the oversized variants a client must survive without buffering them whole into memory or logs.
 */
final class Problems {

    static final String PROBLEM_JSON = "application/problem+json";
    static final String HTML = "text/html; charset=utf-8";
    static final DateTimeFormatter BODY_TS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final String ERROR_TYPE_BASE = "https://developer.hostup.se/errors/";

    /** Size of an oversized text (a problem's {@code detail}, a failed job's message): 2 MiB. */
    static final int OVERSIZED_CHARS = 2 * 1024 * 1024;
    /** Entries of an oversized problem's {@code errors[]}. */
    static final int OVERSIZED_ERRORS = 10_000;

    private Problems() {
    }

    /** The problem document; {@code errors} is written for 400s (empty when null) or when given. */
    static byte[] problem(String instance, String requestId, Instant now, int status, String code, String detail,
                          List<ObjectNode> errors, ObjectNode extensions) {
        ObjectNode p = HostUpSimulator.JSON.createObjectNode();
        p.put("type", ERROR_TYPE_BASE + code);
        p.put("title", title(code, status));
        p.put("status", status);
        p.put("detail", detail != null ? detail : defaultDetail(code, status));
        p.put("code", code);
        p.put("instance", instance);
        p.put("requestId", requestId);
        p.put("timestamp", BODY_TS.format(now));
        if (status == 400 || errors != null) {
            ArrayNode arr = p.putArray("errors");
            if (errors != null) {
                errors.forEach(arr::add);
            }
        }
        p.set("extensions", extensions != null ? extensions : HostUpSimulator.JSON.createObjectNode());
        try {
            return HostUpSimulator.JSON.writeValueAsBytes(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a problem", e);
        }
    }

    /** A problem whose {@code detail} is 2 MiB and whose {@code errors[]} has 10,000 entries. */
    static byte[] oversized(String instance, String requestId, Instant now, int status, String code) {
        List<ObjectNode> errors = new java.util.ArrayList<>(OVERSIZED_ERRORS);
        for (int i = 0; i < OVERSIZED_ERRORS; i++) {
            ObjectNode e = HostUpSimulator.JSON.createObjectNode();
            e.put("pointer", "/items/" + i);
            e.put("detail", "Item " + i + " is not valid.");
            e.put("code", "invalid_value");
            errors.add(e);
        }
        return problem(instance, requestId, now, status, code, oversizedText("The upstream failed. "), errors, null);
    }

    /** {@code seed} repeated to {@link #OVERSIZED_CHARS} characters. */
    static String oversizedText(String seed) {
        StringBuilder sb = new StringBuilder(OVERSIZED_CHARS);
        while (sb.length() < OVERSIZED_CHARS) {
            sb.append(seed);
        }
        sb.setLength(OVERSIZED_CHARS);
        return sb.toString();
    }

    /** nginx's error page for {@code status}. */
    static byte[] html(int status) {
        String reason = reasonPhrase(status);
        String html = "<html>\r\n<head><title>" + status + " " + reason + "</title></head>\r\n<body>\r\n"
                + "<center><h1>" + status + " " + reason + "</h1></center>\r\n<hr><center>nginx</center>\r\n"
                + "</body>\r\n</html>\r\n";
        return html.getBytes(StandardCharsets.UTF_8);
    }

    static String title(String code, int status) {
        switch (code) {
            case "invalid_request":
                return "Validation failed";
            case "unauthorized":
                return "Unauthorized";
            case "forbidden":
                return "Forbidden";
            case "vps_not_found":
                return "VPS not found";
            case "job_not_found":
                return "Job not found";
            case "iso_not_found":
                return "ISO not found";
            case "route_not_found":
                return "Route not found";
            case "method_not_allowed":
                return "Method not allowed";
            case "vps_not_ready":
                return "VPS not ready";
            case "upload_not_allowed":
                return "Upload not allowed";
            case "upstream_failed":
                return "Upstream operation failed";
            case "upstream_unavailable":
                return "Upstream unavailable";
            case "rate_limited":
            case "rate_limit_exceeded":
                return "Too many requests";
            case "internal_error":
                return "Internal server error";
            default:
                String r = reasonPhrase(status);
                return r.isEmpty() ? code : r;
        }
    }

    static String defaultDetail(String code, int status) {
        switch (code) {
            case "invalid_request":
                return "The request body failed validation.";
            case "vps_not_ready":
                return "The VPS is not ready for this operation; try again shortly.";
            case "upstream_failed":
                return "The virtualization backend rejected the operation.";
            case "upstream_unavailable":
                return "The virtualization backend is temporarily unavailable.";
            case "internal_error":
                return "An unexpected error occurred.";
            case "rate_limited":
                return "Too many requests.";
            default:
                return "Simulated " + status + " " + code + ".";
        }
    }

    static String reasonPhrase(int status) {
        switch (status) {
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 408: return "Request Timeout";
            case 409: return "Conflict";
            case 429: return "Too Many Requests";
            case 500: return "Internal Server Error";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            default: return "";
        }
    }
}
