package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns a call's outcome into an answer: RFC 7807 problems for the call ({@link Problems} writes the document),
 * JSON bodies, and the scripted answers ({@link ScriptedResponse}) of a test or a random fault.
 */
final class ProblemRenderer {

    static final String APP_JSON = "application/json";

    private ProblemRenderer() {
    }

    static Reply problem(Call c, int status, String code, String detail) {
        return problem(c, status, code, detail, null, null);
    }

    /** A problem about {@code c}; {@code errors} are written for 400s only. */
    static Reply problem(Call c, int status, String code, String detail, List<ObjectNode> errors,
                         ObjectNode extensions) {
        return new Reply(status, Problems.PROBLEM_JSON, Problems.problem(c.path, c.requestId, c.now(), status, code,
                detail, status == 400 ? errors : null, extensions));
    }

    /** 400 {@code invalid_request} with the validation errors. */
    static Reply invalid(Call c, List<ObjectNode> errors) {
        return problem(c, 400, "invalid_request", null, errors, null);
    }

    /** 400 for a body that is not a JSON object. */
    static Reply notAnObject(Call c) {
        return invalid(c, List.of(error("", "The request body must be a JSON object.", "invalid_format")));
    }

    /** One entry of a problem's {@code errors[]}. */
    static ObjectNode error(String pointer, String detail, String code) {
        ObjectNode e = HostUpSimulator.JSON.createObjectNode();
        e.put("pointer", pointer);
        e.put("detail", detail);
        e.put("code", code);
        return e;
    }

    static Reply json(int status, JsonNode node) {
        try {
            return new Reply(status, APP_JSON, HostUpSimulator.JSON.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
    }

    /** The answer a final scripted response (or random fault) stands for. */
    static Reply scripted(Call c, ScriptedResponse r) {
        switch (r.kind) {
            case PROBLEM:
                return problem(c, r.status, r.code, r.detail);
            case INVALID:
                return invalid(c, List.of(error(r.rawBody, r.detail, r.code)));
            case RATE_LIMITED:
                if (r.retryAfter != null) {
                    c.header("Retry-After", r.retryAfter);
                }
                return problem(c, 429, "rate_limited", "Too many requests.");
            case LEGACY_RATE_LIMITED:
                return legacyRateLimited(c, r.legacyRetryAfterSeconds);
            case HTML:
                return new Reply(r.status, r.contentType, Problems.html(r.status));
            case RESET:
                return Reply.none();
            case STALL:
                return Reply.none().heldFor(r.delay);
            case OVERSIZED:
                return new Reply(r.status, Problems.PROBLEM_JSON,
                        Problems.oversized(c.path, c.requestId, c.now(), r.status, r.code));
            case RAW:
                return new Reply(r.status, r.contentType, r.rawBody.getBytes(StandardCharsets.UTF_8));
            default:
                throw new IllegalStateException("unexpected scripted kind " + r.kind);
        }
    }

    /** The older API's 429 body: no problem document, a {@code retryAfter} in the body. */
    private static Reply legacyRateLimited(Call c, int retryAfterSeconds) {
        ObjectNode o = HostUpSimulator.JSON.createObjectNode();
        o.put("error", "rate_limit_exceeded");
        o.put("message", "Too many requests, please try again in " + retryAfterSeconds + " seconds.");
        o.put("retryAfter", retryAfterSeconds);
        o.put("requestId", c.requestId);
        return json(429, o);
    }
}
