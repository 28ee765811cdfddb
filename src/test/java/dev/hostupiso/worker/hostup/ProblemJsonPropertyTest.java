package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.testsupport.Coverage;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.util.Arrays;
import java.util.Optional;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.FieldError;
import dev.hostupiso.worker.wire.Problem;

import static dev.hostupiso.worker.testsupport.Theories.qt;
import static dev.hostupiso.worker.testsupport.Theories.shown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/** Problem bodies: whatever HostUp (or a proxy) answers, what the worker keeps is bounded. */
class ProblemJsonPropertyTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void anyBodyGivesABoundedProblem() {
        Coverage coverage = new Coverage("anyBodyGivesABoundedProblem");
        qt(6_000).forAll(statuses(), bodies(), headerIds()).checkAssert((status, body, headerRequestId) -> {
            coverage.count();
            Problem p = ProblemJson.from(new ApiResponse(Endpoint.FROM_URL, status, body, Optional.empty(), Optional.empty(),
                    Optional.empty(), headerRequestId, Optional.of("application/problem+json")), MAPPER);
            boolean json = isJsonObject(body);
            coverage.collect("json object", json);
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
        });
        coverage.print().requireMoreThan("json object", true, 20).requireMoreThan("json object", false, 5);
    }

    @Test
    void errorsBeyondTheCapAreCountedInALastEntry() {
        Coverage coverage = new Coverage("errorsBeyondTheCapAreCountedInALastEntry");
        qt(2_000).forAll(errorCounts()).checkAssert(count -> {
            coverage.count();
            String body = "{\"code\":\"invalid_request\",\"errors\":[" + "{\"pointer\":\"/url\",\"detail\":\"d\",\"code\":\"c\"},".repeat(count)
                    + "{\"pointer\":\"/last\"}]}";
            Problem p = ProblemJson.from(new ApiResponse(Endpoint.FROM_URL, 400, body, Optional.empty(), Optional.empty(),
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
        });
        coverage.print();
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

    private static Gen<Integer> statuses() {
        return Generate.oneOf(Generate.pick(Arrays.asList(400, 401, 403, 404, 409, 429, 500, 502, 503, 504)),
                integers().between(100, 599), integers().all());
    }

    private static Gen<Integer> errorCounts() {
        return Generate.oneOf(integers().between(0, 40), integers().between(40, 10_000));
    }

    private static Gen<Optional<String>> headerIds() {
        return shown(Generate.oneOf(Generate.constant(Optional.<String>empty()), HostileText.anyLength().map(Optional::of)));
    }

    private static Gen<String> bodies() {
        Gen<String> value = Generate.oneOf(
                HostileText.anyLength().map(s -> HostileText.json(s)),
                Generate.pick(Arrays.asList("null", "7", "-1", "1e999", "12345678901234567890123", "true", "{}", "[]", "{\"a\":\"b\"}")));
        Gen<String> fieldError = value.zip(value, value,
                (p, d, c) -> "{\"pointer\":" + p + ",\"detail\":" + d + ",\"code\":" + c + "}");
        Gen<String> errors = Generate.oneOf(
                lists().of(fieldError).ofSizeBetween(0, 30).map(l -> "[" + String.join(",", l) + ",1,null,\"x\"]"),
                HostileText.shortText().map(s -> HostileText.json(s)).zip(integers().between(1, 10_000),
                        (d, n) -> "[" + ("{\"pointer\":\"/x\",\"detail\":" + d + "},").repeat(n) + "{}]"),
                value);
        Gen<String> head = value.zip(value, value, value, (code, error, title, detail) -> "{\"code\":" + code + ",\"error\":" + error
                + ",\"title\":" + title + ",\"detail\":" + detail);
        Gen<String> object = head.zip(value, errors, value, value,
                (h, message, errs, requestId, retryAfter) -> h + ",\"message\":" + message + ",\"errors\":" + errs
                        + ",\"requestId\":" + requestId + ",\"retryAfter\":" + retryAfter + "}");
        return shown(Generate.oneOf(
                object,
                object,
                object,
                Generate.pick(Arrays.asList("", " ", "null", "[]", "\"text\"", "<html><body>Bad Gateway</body></html>", "{\"a\":", "{\"a\":1} x")),
                HostileText.anyLength(),
                Generate.constant((String) null)));
    }
}
