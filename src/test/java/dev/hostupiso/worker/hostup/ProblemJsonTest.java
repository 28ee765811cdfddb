package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.FieldError;
import dev.hostupiso.worker.wire.Problem;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();

    private static ApiResponse response(int status, String body, String contentType) {
        return new ApiResponse(Endpoint.FROM_URL, status, body, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of("req_hdr"), Optional.ofNullable(contentType));
    }

    @Test
    void rfc7807WithFieldErrors() {
        String body = """
                {"type":"https://developer.hostup.se/errors/invalid_request","title":"Validation failed","status":400,
                 "detail":"The request body failed validation.","code":"invalid_request","instance":"/api/v2/x",
                 "requestId":"req_abc","timestamp":"2026-04-27T12:34:56.000Z",
                 "errors":[{"pointer":"/url","detail":"must not redirect","code":"invalid_value"}],"extensions":{}}""";
        Problem p = ProblemJson.from(response(400, body, "application/problem+json"), mapper);
        assertThat(p.code()).isEqualTo("invalid_request");
        assertThat(p.title()).isEqualTo("Validation failed");
        assertThat(p.errors()).containsExactly(new FieldError("/url", "must not redirect", "invalid_value"));
        assertThat(p.upstreamRequestId()).contains("req_abc");
    }

    @Test
    void legacyRateLimitBody() {
        Problem p = ProblemJson.from(response(429, "{\"error\":\"rate_limit_exceeded\",\"message\":\"slow down\",\"retryAfter\":7,\"requestId\":\"req_9\"}", "application/json"), mapper);
        assertThat(p.code()).isEqualTo("rate_limit_exceeded");
        assertThat(p.detail()).isEqualTo("slow down");
        assertThat(p.legacyRetryAfterSeconds()).contains(7L);
    }

    @Test
    void nonJsonBodyGivesACleanError() {
        Problem p = ProblemJson.from(response(502, "<html><body>Bad Gateway</body></html>", "text/html"), mapper);
        assertThat(p.code()).isEqualTo("upstream_unavailable");
        assertThat(p.detail()).contains("502").contains("text/html").doesNotContain("<html>");
        assertThat(p.upstreamRequestId()).contains("req_hdr");
        assertThat(ProblemJson.from(response(418, "", null), mapper).code()).isEqualTo("http_418");
    }

    @Test
    void jsonWithoutCodeFallsBackToTheStatus() {
        assertThat(ProblemJson.from(response(403, "{\"message\":\"IP not allowed\"}", "application/json"), mapper).code())
                .isEqualTo("forbidden");
    }

    @Test
    void hugeTextsAndTenThousandErrorsAreCut() {
        String big = "x".repeat(2_000_000);
        String body = "{\"code\":\"" + big + "\",\"title\":\"" + big + "\",\"detail\":\"" + big + "\",\"requestId\":\"" + big
                + "\",\"errors\":[" + ("{\"pointer\":\"/" + "p".repeat(1000) + "\",\"detail\":\"d\",\"code\":\"c\"},").repeat(9_999)
                + "{}]}";
        Problem p = ProblemJson.from(response(400, body, "application/problem+json"), mapper);
        assertThat(p.code()).hasSize(Bounds.CODE).endsWith(Bounds.MARKER);
        assertThat(p.title()).hasSize(Bounds.TITLE);
        assertThat(p.detail()).hasSize(Bounds.DETAIL).endsWith(Bounds.MARKER);
        assertThat(p.upstreamRequestId()).hasValueSatisfying(id -> assertThat(id).hasSize(Bounds.UPSTREAM_REQUEST_ID));
        assertThat(p.errors()).hasSize(Bounds.ERRORS);
        assertThat(p.errors().get(0).pointer()).hasSize(Bounds.ERROR_POINTER);
        assertThat(p.errors().get(Bounds.ERRORS - 1))
                .isEqualTo(new FieldError("", "9981 more errors not shown", Bounds.ERRORS_TRUNCATED));
    }

    @Test
    void aHugeContentTypeOrRequestIdHeaderIsCutToo() {
        Problem p = ProblemJson.from(new ApiResponse(Endpoint.JOB, 502, "<html/>", Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of("r".repeat(100_000)), Optional.of("t".repeat(100_000))), mapper);
        assertThat(p.detail()).hasSize(Bounds.DETAIL);
        assertThat(p.upstreamRequestId()).hasValueSatisfying(id -> assertThat(id).hasSize(Bounds.UPSTREAM_REQUEST_ID));
    }
}
