package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.net.URLEncoder;
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
    private final ObjectMapper mapper;

    public HostUpClient(Vertx vertx, HostUpConfig config, WorkerMetrics metrics, Clock clock, ObjectMapper mapper) {
        this.base = URI.create(config.url().replaceAll("/+$", ""));
        if (base.getHost() == null || !(base.getScheme().equals("http") || base.getScheme().equals("https"))) {
            throw new IllegalStateException("HOSTUP_API_URL must be an absolute http(s) URL, got " + UrlRedactor.redact(config.url()));
        }
        this.timeoutMillis = config.requestTimeout().toMillis();
        this.metrics = metrics;
        this.clock = clock;
        this.mapper = mapper;
        this.client = WebClient.create(vertx, HostUpEgress.apply(new WebClientOptions()
                .setUserAgent("hostup-iso-worker (" + config.instanceName().replaceAll("[^A-Za-z0-9._-]", "_") + ")")
                .setKeepAlive(true)
                .setMaxPoolSize(config.maxConnections())
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .setFollowRedirects(false), config));
    }

    /** {@code POST /api/v2/vps/{id}/iso/actions/from-url}. */
    @Override
    public Uni<ApiResponse> fromUrl(Account account, String vpsId, String url, String filename, String decompress) {
        ObjectNode body = mapper.createObjectNode().put("url", url).put("filename", filename).put("decompress", decompress);
        String path = "/api/v2/vps/" + encode(vpsId) + "/iso/actions/from-url";
        return send(account, Endpoint.FROM_URL, HttpMethod.POST, base + path, Buffer.buffer(body.toString()));
    }

    /** {@code GET {pollUrl}}; a relative {@code pollUrl} is resolved against the base URL. */
    @Override
    public Uni<ApiResponse> job(Account account, String pollUrl) {
        return Uni.createFrom().item(() -> resolvePollUrl(pollUrl))
                .onItem().transformToUni(url -> send(account, Endpoint.JOB, HttpMethod.GET, url, null));
    }

    /** {@code GET /api/v2/vps/{id}/iso}. */
    @Override
    public Uni<ApiResponse> isoLibrary(Account account, String vpsId) {
        return send(account, Endpoint.ISO_LIST, HttpMethod.GET, base + "/api/v2/vps/" + encode(vpsId) + "/iso", null);
    }

    /**
     * {@code POST /api/v2/vps/{id}/iso/actions/mount} with {@code {"isoId", "device"}}; no
     * {@code device} lets HostUp choose. The body is inferred (HostUp documents the endpoint, not its body).
     */
    @Override
    public Uni<ApiResponse> mount(Account account, String vpsId, String isoId, String device) {
        ObjectNode body = mapper.createObjectNode().put("isoId", isoId);
        if (device != null) {
            body.put("device", device);
        }
        String path = "/api/v2/vps/" + encode(vpsId) + "/iso/actions/mount";
        return send(account, Endpoint.MOUNT, HttpMethod.POST, base + path, Buffer.buffer(body.toString()));
    }

    @Override
    public Uni<ApiResponse> vpsList(Account account, int limit, String cursor) {
        String query = "?limit=" + limit + (cursor == null ? "" : "&cursor=" + encode(cursor));
        return send(account, Endpoint.VPS_LIST, HttpMethod.GET, base + "/api/v2/vps" + query, null);
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

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
