package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.config.HostUpConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.RateLimitHeaders;
import dev.hostupiso.worker.wire.TransportException;
import dev.hostupiso.worker.wire.UrlRedactor;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * HostUp's API over the non-blocking Vert.x Web Client. It answers raw {@link ApiResponse}s (any
 * status) and fails only on transport errors; interpreting answers and retrying is the caller's
 * job. Every call is made with one {@link Account}'s key. It does not pace calls itself: every call
 * must hold a {@link Permit} of that account's {@link HostUpRateLimiter} (the job's
 * {@code RetryingCaller} acquires one, bounded by the job's deadline, and releases it with the answer).
 */
@ApplicationScoped
public class HostUpClient implements HostUpApi {

    private final WebClient client;
    private final URI base;
    private final long timeoutMillis;
    private final WorkerMetrics metrics;
    private final Clock clock;

    public HostUpClient(Vertx vertx, HostUpConfig config, WorkerMetrics metrics, Clock clock) {
        this.base = URI.create(config.url().replaceAll("/+$", ""));
        if (base.getHost() == null || !(base.getScheme().equals("http") || base.getScheme().equals("https"))) {
            throw new IllegalStateException("HOSTUP_API_URL must be an absolute http(s) URL, got " + UrlRedactor.redact(config.url()));
        }
        this.timeoutMillis = config.requestTimeout().toMillis();
        this.metrics = metrics;
        this.clock = clock;
        this.client = WebClient.create(vertx, HostUpEgress.apply(new WebClientOptions()
                .setUserAgent("hostup-iso-worker (" + config.instanceName().replaceAll("[^A-Za-z0-9._-]", "_") + ")")
                .setKeepAlive(true)
                .setMaxPoolSize(config.maxConnections())
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .setFollowRedirects(false), config));
    }

    /** Sends {@code request}; a target outside the API's origin fails the Uni, and nothing is sent. */
    @Override
    public Uni<ApiResponse> send(Account account, HostUpRequest request) {
        return Uni.createFrom().item(() -> resolve(request.target()))
                .onItem().transformToUni(url -> send(account, request.endpoint(), request.method(), url,
                        request.jsonBody() == null ? null : Buffer.buffer(request.jsonBody())));
    }

    /**
     * Resolves a request's target: a path is below the base URL; an absolute URL (a job's
     * {@code pollUrl} may be one) must point at the API's own origin: the worker never sends its token
     * to another host.
     */
    String resolve(String pollUrl) {
        URI u = URI.create(pollUrl.trim());
        if (!u.isAbsolute()) {
            String p = pollUrl.trim();
            return base + (p.startsWith("/") ? p : "/" + p);
        }
        if (!u.getScheme().equalsIgnoreCase(base.getScheme()) || !u.getHost().equalsIgnoreCase(base.getHost())
                || u.getPort() != base.getPort()) {
            throw new IllegalArgumentException("pollUrl points outside the API base URL: " + UrlRedactor.redact(pollUrl));
        }
        return u.toString();
    }

    private Uni<ApiResponse> send(Account account, Endpoint endpoint, HttpMethod method, String url, Buffer body) {
        return Uni.createFrom().deferred(() -> {
            HttpRequest<Buffer> request = client.requestAbs(method, url)
                    .putHeader("Authorization", account.authorization())
                    .putHeader("Accept", "application/json, application/problem+json")
                    .timeout(timeoutMillis);
            Instant start = clock.instant();
            Uni<HttpResponse<Buffer>> call = body == null ? request.send()
                    : request.putHeader("Content-Type", "application/json").sendBuffer(body);
            return call.onItemOrFailure().transformToUni((response, failure) -> {
                Duration latency = Duration.between(start, clock.instant());
                if (failure != null) {
                    TransportException te = new TransportException(endpoint, TransportException.classify(failure), failure);
                    metrics.apiCall(endpoint.tag(), te.isTimeout() ? "timeout" : "io_error", latency);
                    return Uni.createFrom().failure(te);
                }
                metrics.apiCall(endpoint.tag(), Integer.toString(response.statusCode()), latency);
                return Uni.createFrom().item(toApiResponse(endpoint, response));
            });
        });
    }

    private static ApiResponse toApiResponse(Endpoint endpoint, HttpResponse<Buffer> r) {
        return new ApiResponse(endpoint, r.statusCode(), r.bodyAsString(StandardCharsets.UTF_8.name()),
                Optional.ofNullable(r.getHeader("Retry-After")), Optional.ofNullable(r.getHeader("Date")),
                RateLimitHeaders.parse(r.getHeader("X-RateLimit-Limit"), r.getHeader("X-RateLimit-Remaining"),
                        r.getHeader("X-RateLimit-Reset")),
                Optional.ofNullable(r.getHeader("X-Request-Id")), Optional.ofNullable(r.getHeader("Content-Type")));
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
