package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostupiso.worker.config.Delays;
import dev.hostupiso.worker.config.HostUpConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.quarkus.runtime.Startup;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HostUp's API over the non-blocking Vert.x Web Client. It answers raw {@link ApiResponse}s (any
 * status) and fails only on transport errors; interpreting answers and retrying is the caller's
 * job. Every call first reserves a slot with the process-wide {@link HostUpRateLimiter}.
 */
@Startup // fail fast at boot when the token is missing
@ApplicationScoped
public class HostUpClient {

    private final WebClient client;
    private final URI base;
    private final String authorization;
    private final long timeoutMillis;
    private final HostUpRateLimiter limiter;
    private final WorkerMetrics metrics;
    private final Delays delays;
    private final Clock clock;
    private final ObjectMapper mapper;

    public HostUpClient(Vertx vertx, HostUpConfig config, HostUpRateLimiter limiter, WorkerMetrics metrics,
                        Delays delays, Clock clock, ObjectMapper mapper) {
        String token = config.token().map(String::trim).filter(t -> !t.isEmpty()).orElseThrow(() ->
                new IllegalStateException("HOSTUP_API_TOKEN is not set (property hostup.api.token). The worker needs "
                        + "a HostUp API key with scopes read:vm, write:vm and write:storage; refusing to start."));
        this.base = URI.create(config.url().replaceAll("/+$", ""));
        if (base.getHost() == null || !(base.getScheme().equals("http") || base.getScheme().equals("https"))) {
            throw new IllegalStateException("HOSTUP_API_URL must be an absolute http(s) URL, got " + UrlRedactor.redact(config.url()));
        }
        this.authorization = "Bearer " + token;
        this.timeoutMillis = config.requestTimeout().toMillis();
        this.limiter = limiter;
        this.metrics = metrics;
        this.delays = delays;
        this.clock = clock;
        this.mapper = mapper;
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setUserAgent("hostup-iso-worker")
                .setKeepAlive(true)
                .setMaxPoolSize(config.maxConnections())
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .setFollowRedirects(false));
    }

    /** {@code POST /api/v2/vps/{id}/iso/actions/from-url}. */
    public Uni<ApiResponse> fromUrl(String vpsId, String url, String filename, String decompress) {
        ObjectNode body = mapper.createObjectNode().put("url", url).put("filename", filename).put("decompress", decompress);
        String path = "/api/v2/vps/" + encode(vpsId) + "/iso/actions/from-url";
        return send(Endpoint.FROM_URL, HttpMethod.POST, base + path, Buffer.buffer(body.toString()));
    }

    /** {@code GET {pollUrl}}; a relative {@code pollUrl} is resolved against the base URL. */
    public Uni<ApiResponse> job(String pollUrl) {
        return Uni.createFrom().item(() -> resolvePollUrl(pollUrl))
                .onItem().transformToUni(url -> send(Endpoint.JOB, HttpMethod.GET, url, null));
    }

    /** {@code GET /api/v2/vps/{id}/iso}. */
    public Uni<ApiResponse> isoLibrary(String vpsId) {
        return send(Endpoint.ISO_LIST, HttpMethod.GET, base + "/api/v2/vps/" + encode(vpsId) + "/iso", null);
    }

    /**
     * Resolves a {@code pollUrl}. An absolute one must point at the API's own origin: the worker
     * never sends its token to another host.
     */
    String resolvePollUrl(String pollUrl) {
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

    private Uni<ApiResponse> send(Endpoint endpoint, HttpMethod method, String url, Buffer body) {
        // 0: no slot yet, 1: slot granted, 2: the limiter has been told the call is over (exactly once).
        AtomicInteger slot = new AtomicInteger();
        return acquire(slot)
                .onItem().transformToUni(ignored -> {
                    HttpRequest<Buffer> request = client.requestAbs(method, url)
                            .putHeader("Authorization", authorization)
                            .putHeader("Accept", "application/json, application/problem+json")
                            .timeout(timeoutMillis);
                    Instant start = clock.instant();
                    Uni<HttpResponse<Buffer>> call = body == null ? request.send()
                            : request.putHeader("Content-Type", "application/json").sendBuffer(body);
                    return call.onItemOrFailure().transformToUni((response, failure) -> {
                        Duration latency = Duration.between(start, clock.instant());
                        if (slot.compareAndSet(1, 2)) {
                            limiter.answered();
                        }
                        if (failure != null) {
                            metrics.apiCall(endpoint, isTimeout(failure) ? "timeout" : "io_error", latency);
                            return Uni.createFrom().failure(new TransportException(endpoint, isTimeout(failure), failure));
                        }
                        metrics.apiCall(endpoint, Integer.toString(response.statusCode()), latency);
                        ApiResponse r = toApiResponse(endpoint, response);
                        limiter.observe(r.rateLimit());
                        return Uni.createFrom().item(r);
                    });
                })
                .onCancellation().invoke(() -> {
                    if (slot.compareAndSet(1, 2)) {
                        limiter.cancelled(); // e.g. the job was cancelled while waiting for its slot
                    }
                });
    }

    /** Waits for a slot of the process-wide rate limiter; asks again when the limiter cannot book one yet. */
    private Uni<Void> acquire(AtomicInteger slot) {
        return Uni.createFrom().item(limiter::reserve).onItem().transformToUni(r -> {
            if (r.granted()) {
                slot.set(1);
                return delays.after(r.delay());
            }
            return delays.after(r.delay()).onItem().transformToUni(x -> acquire(slot));
        });
    }

    private static ApiResponse toApiResponse(Endpoint endpoint, HttpResponse<Buffer> r) {
        return new ApiResponse(endpoint, r.statusCode(), r.bodyAsString(StandardCharsets.UTF_8.name()),
                Optional.ofNullable(r.getHeader("Retry-After")), Optional.ofNullable(r.getHeader("Date")),
                RateLimitHeaders.parse(r.getHeader("X-RateLimit-Limit"), r.getHeader("X-RateLimit-Remaining"),
                        r.getHeader("X-RateLimit-Reset")),
                Optional.ofNullable(r.getHeader("X-Request-Id")), Optional.ofNullable(r.getHeader("Content-Type")));
    }

    private static boolean isTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.util.concurrent.TimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** A call that got no HTTP answer: connection refused or reset, or the request timeout passed. */
    public static final class TransportException extends RuntimeException {
        private final boolean timeout;

        TransportException(Endpoint endpoint, boolean timeout, Throwable cause) {
            // The cause's message never holds the token: Vert.x reports host/port and timings only.
            super((timeout ? "timeout" : "connection error") + " calling " + endpoint.tag() + ": " + cause.getMessage(), cause);
            this.timeout = timeout;
        }

        public boolean isTimeout() {
            return timeout;
        }
    }
}
