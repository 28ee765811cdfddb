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
}
