package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Problem bodies: whatever HostUp (or a proxy) answers, what the worker keeps is bounded. */
class ProblemProperties {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Property(tries = 6_000)
    void anyBodyGivesABoundedProblem(@ForAll("statuses") int status, @ForAll("bodies") String body,
                                     @ForAll("headerIds") Optional<String> headerRequestId) {
        Problem p = Problem.from(new ApiResponse(Endpoint.FROM_URL, status, body, Optional.empty(), Optional.empty(),
                Optional.empty(), headerRequestId, Optional.of("application/problem+json")), MAPPER);
        boolean json = isJsonObject(body);
        Statistics.label("json object").collect(json);
        Statistics.label("json object").coverage(c -> {
            c.check(true).percentage(x -> x > 20);
            c.check(false).percentage(x -> x > 5);
        });
        assertThat(p.status()).isEqualTo(status);
        assertThat(p.code()).isNotNull().hasSizeLessThanOrEqualTo(Bounds.CODE);
        assertThat(p.title()).isNotNull().hasSizeLessThanOrEqualTo(Bounds.TITLE);
        if (p.detail() != null) {
            assertThat(p.detail()).hasSizeLessThanOrEqualTo(Bounds.DETAIL);
        }
        assertThat(p.errors()).hasSizeLessThanOrEqualTo(Bounds.ERRORS).allSatisfy(e -> {
            if (e.pointer() != null) {
                assertThat(e.pointer()).hasSizeLessThanOrEqualTo(Bounds.ERROR_POINTER);
            }
            if (e.detail() != null) {
                assertThat(e.detail()).hasSizeLessThanOrEqualTo(Bounds.ERROR_DETAIL);
            }
            if (e.code() != null) {
                assertThat(e.code()).hasSizeLessThanOrEqualTo(Bounds.ERROR_CODE);
            }
        });
        p.upstreamRequestId().ifPresent(id -> assertThat(id).hasSizeLessThanOrEqualTo(Bounds.UPSTREAM_REQUEST_ID));
        p.legacyRetryAfterSeconds().ifPresent(s -> assertThat(s).isPositive());
        if (!json) {
            assertThat(p.code()).isEqualTo(documentedFallback(status));
            assertThat(p.errors()).isEmpty();
        }
    }

    @Property(tries = 2_000)
    void errorsBeyondTheCapAreCountedInALastEntry(@ForAll("errorCounts") int count) {
        String body = "{\"code\":\"invalid_request\",\"errors\":[" + "{\"pointer\":\"/url\",\"detail\":\"d\",\"code\":\"c\"},".repeat(count)
                + "{\"pointer\":\"/last\"}]}";
        Problem p = Problem.from(new ApiResponse(Endpoint.FROM_URL, 400, body, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty()), MAPPER);
        int sent = count + 1;
        if (sent <= Bounds.ERRORS) {
            assertThat(p.errors()).hasSize(sent);
            assertThat(p.errors().get(sent - 1).pointer()).isEqualTo("/last");
        } else {
            assertThat(p.errors()).hasSize(Bounds.ERRORS);
            assertThat(p.errors().get(Bounds.ERRORS - 1)).isEqualTo(new FieldError("",
                    (sent - Bounds.ERRORS + 1) + " more errors not shown", Bounds.ERRORS_TRUNCATED));
        }
    }

    /** As the README documents the fallback codes. */
    private static String documentedFallback(int status) {
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

    private static boolean isJsonObject(String body) {
        try {
            return body != null && MAPPER.readTree(body) != null && MAPPER.readTree(body).isObject();
        } catch (Exception e) {
            return false;
        }
    }

    @Provide
    Arbitrary<Integer> statuses() {
        return Arbitraries.oneOf(Arbitraries.of(400, 401, 403, 404, 409, 429, 500, 502, 503, 504),
                Arbitraries.integers().between(100, 599), Arbitraries.integers());
    }

    @Provide
    Arbitrary<Integer> errorCounts() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 40), Arbitraries.integers().between(40, 10_000));
    }

    @Provide
    Arbitrary<Optional<String>> headerIds() {
        return Arbitraries.oneOf(Arbitraries.just(Optional.empty()), HostileText.anyLength().map(Optional::of));
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> value = Arbitraries.oneOf(
                HostileText.anyLength().map(HostileText::json),
                Arbitraries.of("null", "7", "-1", "1e999", "12345678901234567890123", "true", "{}", "[]", "{\"a\":\"b\"}"));
        Arbitrary<String> fieldError = Combinators.combine(value, value, value)
                .as((p, d, c) -> "{\"pointer\":" + p + ",\"detail\":" + d + ",\"code\":" + c + "}");
        Arbitrary<String> errors = Arbitraries.oneOf(
                fieldError.list().ofMaxSize(30).map(l -> "[" + String.join(",", l) + ",1,null,\"x\"]"),
                Combinators.combine(HostileText.shortText().map(HostileText::json), Arbitraries.integers().between(1, 10_000))
                        .as((d, n) -> "[" + ("{\"pointer\":\"/x\",\"detail\":" + d + "},").repeat(n) + "{}]"),
                value);
        Arbitrary<String> object = Combinators.combine(value, value, value, value, value, errors, value, value)
                .as((code, error, title, detail, message, errs, requestId, retryAfter) -> "{\"code\":" + code + ",\"error\":" + error
                        + ",\"title\":" + title + ",\"detail\":" + detail + ",\"message\":" + message + ",\"errors\":" + errs
                        + ",\"requestId\":" + requestId + ",\"retryAfter\":" + retryAfter + "}");
        return Arbitraries.oneOf(
                object,
                object,
                object,
                Arbitraries.of("", " ", "null", "[]", "\"text\"", "<html><body>Bad Gateway</body></html>", "{\"a\":", "{\"a\":1} x"),
                HostileText.anyLength(),
                Arbitraries.just(null));
    }
}
