package dev.hostupiso.worker.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A canned answer queued with {@link VpsScript#enqueue(Endpoint, ScriptedResponse)}. Immutable:
 * {@link #withHeader(String, String)} returns a copy. Bodies are rendered when the call arrives, so
 * problem bodies carry that call's {@code instance}, {@code requestId} and {@code timestamp}.
 */
public final class ScriptedResponse {

    enum Kind { PROBLEM, INVALID, RATE_LIMITED, LEGACY_RATE_LIMITED, HTML, DELAYED, RAW, RESET, STALL, OVERSIZED, LATE,
        AFTER_HANDLING }

    final Kind kind;
    final int status;
    final String code;
    final String detail;
    /** Exact Retry-After header value (RATE_LIMITED), or null for none. */
    final String retryAfter;
    final int legacyRetryAfterSeconds;
    final Duration delay;
    final String contentType;
    final String rawBody;
    final List<Map.Entry<String, String>> headers;
    /** AFTER_HANDLING: what the client gets instead of the normal answer. */
    final ScriptedResponse then;

    private ScriptedResponse(Kind kind, int status, String code, String detail, String retryAfter,
                             int legacyRetryAfterSeconds, Duration delay, String contentType, String rawBody,
                             List<Map.Entry<String, String>> headers, ScriptedResponse then) {
        this.kind = kind;
        this.status = status;
        this.code = code;
        this.detail = detail;
        this.retryAfter = retryAfter;
        this.legacyRetryAfterSeconds = legacyRetryAfterSeconds;
        this.delay = delay;
        this.contentType = contentType;
        this.rawBody = rawBody;
        this.headers = List.copyOf(headers);
        this.then = then;
    }

    private static ScriptedResponse of(Kind kind, int status, String code, String detail, String retryAfter,
                                       int legacy, Duration delay, String contentType, String rawBody) {
        return new ScriptedResponse(kind, status, code, detail, retryAfter, legacy, delay, contentType, rawBody,
                List.of(), null);
    }

    private static int checkStatus(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status out of range: " + status);
        }
        return status;
    }

    /**
     * A 400 {@code invalid_request} with one {@code errors[]} entry, for the checks only HostUp can make
     * (the URL redirects, the file is over 20 GB): {@code rawBody} carries the pointer.
     */
    public static ScriptedResponse invalidRequest(String pointer, String detail, String errorCode) {
        return of(Kind.INVALID, 400, Objects.requireNonNull(errorCode, "errorCode"), Objects.requireNonNull(detail, "detail"),
                null, 0, null, null, Objects.requireNonNull(pointer, "pointer"));
    }

    /** An RFC 7807 problem with that status and {@code code}; title and detail are filled in. */
    public static ScriptedResponse problem(int status, String code) {
        return problem(status, code, null);
    }

    /** An RFC 7807 problem with that status, {@code code} and {@code detail} (null: a stock detail). */
    public static ScriptedResponse problem(int status, String code, String detail) {
        return of(Kind.PROBLEM, checkStatus(status), Objects.requireNonNull(code, "code"), detail, null, 0, null,
                null, null);
    }

    /**
     * A 429 problem {@code rate_limited} whose {@code Retry-After} header is exactly {@code retryAfterHeader}
     * (e.g. {@code "2"}, {@code "0"}, {@code "garbage"}, an HTTP-date); {@code null} sends no Retry-After.
     */
    public static ScriptedResponse rateLimited(String retryAfterHeader) {
        return of(Kind.RATE_LIMITED, 429, "rate_limited", null, retryAfterHeader, 0, null, null, null);
    }

    /** A 429 problem {@code rate_limited} with {@code Retry-After} as the RFC 1123 HTTP-date of {@code when}. */
    public static ScriptedResponse rateLimitedUntil(Instant when) {
        return rateLimited(HostUpSimulator.httpDate(Objects.requireNonNull(when, "when")));
    }

    /**
     * A 429 in the old format: {@code application/json} body
     * {@code {"error":"rate_limit_exceeded","message":…,"retryAfter":N,"requestId":"req_…"}} and NO Retry-After header.
     */
    public static ScriptedResponse legacyRateLimited(int retryAfterSeconds) {
        return of(Kind.LEGACY_RATE_LIMITED, 429, "rate_limit_exceeded", null, null, retryAfterSeconds, null, null,
                null);
    }

    /** A 409 problem {@code vps_not_ready}. */
    public static ScriptedResponse vpsNotReady() {
        return problem(409, "vps_not_ready");
    }

    /** A {@code text/html} error page as a reverse proxy would send it (e.g. 502 Bad Gateway). */
    public static ScriptedResponse html(int status) {
        return of(Kind.HTML, checkStatus(status), null, null, null, 0, null, "text/html; charset=utf-8", null);
    }

    /** Any body with any content type (e.g. truncated JSON). */
    public static ScriptedResponse raw(int status, String contentType, String body) {
        return of(Kind.RAW, checkStatus(status), null, null, null, 0, null, contentType,
                Objects.requireNonNull(body, "body"));
    }

    /**
     * Handle the call normally, but only after {@code d} of real time (the simulator clock is not used),
     * e.g. to provoke client timeouts. Headers added with {@link #withHeader} go on the normal answer.
     */
    public static ScriptedResponse delayed(Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0");
        }
        return of(Kind.DELAYED, 0, null, null, null, 0, d, null, null);
    }

    /**
     * No answer: the connection closes at once (the client sees it closed with no status line). Nothing happens
     * on the server.
     */
    public static ScriptedResponse reset() {
        return of(Kind.RESET, 0, null, null, null, 0, null, null, null);
    }

    /**
     * No answer for {@code d} (real time), then the connection closes without one: longer than the client's request
     * timeout, it is a call that never answers. Nothing happens on the server. Holds no request thread.
     */
    public static ScriptedResponse stall(Duration d) {
        return of(Kind.STALL, 0, null, null, null, 0, positive(d), null, null);
    }

    /** A problem of that status and {@code code} whose {@code detail} is 2 MiB and whose {@code errors[]} has 10,000 entries. */
    public static ScriptedResponse oversizedProblem(int status, String code) {
        return of(Kind.OVERSIZED, checkStatus(status), Objects.requireNonNull(code, "code"), null, null, 0, null, null,
                null);
    }

    /**
     * The call is handled at receipt (a from-url queues its job at once), but its answer is sent only after
     * {@code d} of real time, e.g. to keep a call in flight across a graceful shutdown. Holds no request thread.
     */
    public static ScriptedResponse answeredLate(Duration d) {
        return of(Kind.LATE, 0, null, null, null, 0, positive(d), null, null);
    }

    /**
     * The ambiguous answer: the call is handled normally (a from-url queues its job, which runs, finishes and is
     * listed), but the client gets {@code answer} instead, typically {@link #reset()}, {@link #stall(Duration)},
     * {@code problem(500, "internal_error")} or {@code html(502)}.
     */
    public static ScriptedResponse afterHandling(ScriptedResponse answer) {
        Objects.requireNonNull(answer, "answer");
        if (answer.kind == Kind.DELAYED || answer.kind == Kind.LATE || answer.kind == Kind.AFTER_HANDLING) {
            throw new IllegalArgumentException("the lost answer must be a final answer, not " + answer);
        }
        return new ScriptedResponse(Kind.AFTER_HANDLING, 0, null, null, null, 0, null, null, null, List.of(), answer);
    }

    private static Duration positive(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("duration must be > 0");
        }
        return d;
    }

    /** A copy of this response that also sends header {@code name: value}. */
    public ScriptedResponse withHeader(String name, String value) {
        List<Map.Entry<String, String>> h = new ArrayList<>(headers);
        h.add(Map.entry(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value")));
        return new ScriptedResponse(kind, status, code, detail, retryAfter, legacyRetryAfterSeconds, delay,
                contentType, rawBody, h, then);
    }

    @Override
    public String toString() {
        return "ScriptedResponse[" + kind + (status > 0 ? " " + status : "") + (code != null ? " " + code : "")
                + (delay != null ? " after " + delay : "") + (then != null ? " then " + then : "") + "]";
    }
}
