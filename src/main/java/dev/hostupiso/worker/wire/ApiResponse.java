package dev.hostupiso.worker.wire;

import java.util.Optional;

/**
 * One HTTP answer from HostUp, before interpretation. Only the headers the worker acts on are kept.
 *
 * @param retryAfter      raw {@code Retry-After}
 * @param date            raw {@code Date}, the server's clock for HTTP-date {@code Retry-After}
 * @param rateLimit       parsed {@code X-RateLimit-*} headers, if any were present
 * @param upstreamRequestId HostUp's {@code X-Request-Id}, if present (not the request's own {@code requestId})
 * @param contentType     raw {@code Content-Type}
 */
public record ApiResponse(Endpoint endpoint, int status, String body, Optional<String> retryAfter,
                          Optional<String> date, Optional<RateLimitHeaders> rateLimit,
                          Optional<String> upstreamRequestId, Optional<String> contentType) {

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /**
     * Whether this transient-looking answer to a call that may act (from-url, mount) leaves open that
     * HostUp acted on it. 429, 408 and {@code 409 vps_not_ready} are refusals; a 503 that is HostUp's
     * own problem answer ({@code problem} read from it) is a refusal too. Other 5xx (a proxy's page, a
     * crash after queueing) and {@code 409 upstream_failed} are not.
     */
    public boolean mayHaveActed(Problem problem) {
        if (status == 409) {
            return !"vps_not_ready".equals(problem.code());
        }
        if (status == 503) {
            return !contentType.map(ct -> ct.toLowerCase().contains("problem+json")).orElse(false);
        }
        return status >= 500;
    }
}
