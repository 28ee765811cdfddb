package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.HostUpConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.TransportException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.mutiny.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link HostUpClient} against an HTTP server on loopback: the requests it sends (method, path, query, headers,
 * body), what it reads from the answers, how it names transport failures, the calls it counts, and which poll URLs
 * it refuses to send the key to. The egress settings (proxy, CAs) are {@link HostUpEgressTest}'s.
 */
class HostUpClientTest {

    private static final Duration CALL = Duration.ofSeconds(10);
    private final io.vertx.core.Vertx core = io.vertx.core.Vertx.vertx();
    private final Vertx vertx = new Vertx(core);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final Account account = new Account(Account.DEFAULT, "k-secret",
            new HostUpRateLimiterAccess().create(clock, new WorkerMetrics(new SimpleMeterRegistry()), null),
            new ApiKeyState(new WorkerMetrics(new SimpleMeterRegistry()), 3));
    /** What the server saw, one line per request: method, URI, then the body. */
    private final List<Map<String, Object>> seen = new CopyOnWriteArrayList<>();
    private volatile Consumer<HttpServerRequest> answer = r -> r.response().setStatusCode(200).end("{}");
    private HttpServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        server = core.createHttpServer().requestHandler(r -> r.body().onSuccess(body -> {
            seen.add(Map.of("method", r.method().name(), "uri", r.uri(), "body", body.toString(),
                    "authorization", String.valueOf(r.getHeader("Authorization")),
                    "accept", String.valueOf(r.getHeader("Accept")),
                    "contentType", String.valueOf(r.getHeader("Content-Type")),
                    "userAgent", String.valueOf(r.getHeader("User-Agent"))));
            answer.accept(r);
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        core.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HostUpClient client(String url, Duration timeout) {
        HostUpConfig config = (HostUpConfig) Proxy.newProxyInstance(HostUpConfig.class.getClassLoader(),
                new Class<?>[] {HostUpConfig.class}, (self, method, args) -> switch (method.getName()) {
                    case "url" -> url;
                    case "token" -> Optional.of("k-secret");
                    case "requestTimeout" -> timeout;
                    case "maxConnections" -> 4;
                    case "instanceName" -> "pod/7";
                    case "toString" -> "HostUpConfig";
                    case "hashCode" -> System.identityHashCode(self);
                    case "equals" -> self == args[0];
                    default -> Optional.empty();
                });
        return new HostUpClient(vertx, config, new WorkerMetrics(registry), clock);
    }

    private HostUpClient client() {
        return client(base + "/", CALL);
    }

    private static ApiResponse await(io.smallrye.mutiny.Uni<ApiResponse> uni) {
        return uni.await().atMost(CALL);
    }

    private double calls(String endpoint, String status) {
        var c = registry.find(WorkerMetrics.API_CALLS).tag("endpoint", endpoint).tag("status", status).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void eachCallGoesToItsPathWithTheKeyAndItsJsonBody() throws Exception {
        HostUpClient c = client();
        await(c.send(account, HostUpCalls.fromUrlRequest(new ObjectMapper(), "vps 1/x", "https://example.org/a.iso", "a.iso", "gz")));
        await(c.send(account, HostUpCalls.isoLibraryRequest("vps_1")));
        await(c.send(account, HostUpCalls.mountRequest(new ObjectMapper(), "vps_1", "iso_7", "cdrom1")));
        await(c.send(account, HostUpCalls.mountRequest(new ObjectMapper(), "vps_1", "iso_8", null)));
        await(c.send(account, KeyProbe.vpsListRequest(50, null)));
        await(c.send(account, KeyProbe.vpsListRequest(50, "next page+1")));
        await(c.send(account, HostUpCalls.jobRequest("/api/jobs/j1")));
        await(c.send(account, HostUpCalls.jobRequest("api/jobs/j2")));
        await(c.send(account, HostUpCalls.jobRequest(base + "/api/jobs/j3")));

        assertThat(seen).extracting(m -> m.get("method") + " " + m.get("uri")).containsExactly(
                "POST /api/v2/vps/vps%201%2Fx/iso/actions/from-url",
                "GET /api/v2/vps/vps_1/iso",
                "POST /api/v2/vps/vps_1/iso/actions/mount",
                "POST /api/v2/vps/vps_1/iso/actions/mount",
                "GET /api/v2/vps?limit=50",
                "GET /api/v2/vps?limit=50&cursor=next%20page%2B1",
                "GET /api/jobs/j1",
                "GET /api/jobs/j2",
                "GET /api/jobs/j3");
        ObjectMapper json = new ObjectMapper();
        JsonNode fromUrl = json.readTree((String) seen.get(0).get("body"));
        assertThat(fromUrl.get("url").asText()).isEqualTo("https://example.org/a.iso");
        assertThat(fromUrl.get("filename").asText()).isEqualTo("a.iso");
        assertThat(fromUrl.get("decompress").asText()).isEqualTo("gz");
        assertThat(json.readTree((String) seen.get(2).get("body")))
                .isEqualTo(json.readTree("{\"isoId\":\"iso_7\",\"device\":\"cdrom1\"}"));
        assertThat(json.readTree((String) seen.get(3).get("body"))).as("no device: HostUp chooses")
                .isEqualTo(json.readTree("{\"isoId\":\"iso_8\"}"));
        assertThat(seen.get(1).get("body")).isEqualTo("");
        for (Map<String, Object> m : seen) {
            assertThat(m.get("authorization")).isEqualTo("Bearer k-secret");
            assertThat(m.get("accept")).isEqualTo("application/json, application/problem+json");
            assertThat(m.get("userAgent")).isEqualTo("hostup-iso-worker (pod_7)");
            assertThat(m.get("contentType")).isEqualTo(m.get("method").equals("POST") ? "application/json" : "null");
        }
    }

    @Test
    void anAnswerIsReadWithItsStatusBodyAndHeadersAndCounted() {
        answer = r -> r.response().setStatusCode(429)
                .putHeader("Content-Type", "application/problem+json")
                .putHeader("Retry-After", "7")
                .putHeader("Date", "Fri, 27 Nov 2026 10:00:00 GMT")
                .putHeader("X-RateLimit-Limit", "100")
                .putHeader("X-RateLimit-Remaining", "0")
                .putHeader("X-RateLimit-Reset", "1795773600")
                .putHeader("X-Request-Id", "up-1")
                .end("{\"code\":\"rate_limited\"}");
        ApiResponse a = await(client().send(account, HostUpCalls.isoLibraryRequest("vps_1")));
        assertThat(a.endpoint()).isEqualTo(Endpoint.ISO_LIST);
        assertThat(a.status()).isEqualTo(429);
        assertThat(a.body()).isEqualTo("{\"code\":\"rate_limited\"}");
        assertThat(a.retryAfter()).contains("7");
        assertThat(a.date()).contains("Fri, 27 Nov 2026 10:00:00 GMT");
        assertThat(a.rateLimit()).isPresent();
        assertThat(a.rateLimit().get().limit()).isEqualTo(OptionalInt.of(100));
        assertThat(a.rateLimit().get().remaining()).isEqualTo(OptionalInt.of(0));
        assertThat(a.upstreamRequestId()).contains("up-1");
        assertThat(a.contentType()).contains("application/problem+json");
        assertThat(calls("iso_list", "429")).isEqualTo(1);
        assertThat(registry.get(WorkerMetrics.API_CALL_DURATION).tag("endpoint", "iso_list").timer().count()).isEqualTo(1);
    }

    @Test
    void anAnswerWithoutOptionalHeadersReadsAsEmpty() {
        answer = r -> r.response().setStatusCode(204).end();
        ApiResponse a = await(client().send(account, HostUpCalls.mountRequest(new ObjectMapper(), "vps_1", "iso_1", null)));
        assertThat(a.status()).isEqualTo(204);
        assertThat(a.retryAfter()).isEmpty();
        assertThat(a.rateLimit()).isEmpty();
        assertThat(a.upstreamRequestId()).isEmpty();
        assertThat(calls("mount", "204")).isEqualTo(1);
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsATimeoutAndCountedSo() {
        answer = r -> { }; // never answers
        assertThatThrownBy(() -> await(client(base, Duration.ofMillis(300)).send(account, HostUpCalls.jobRequest("/api/jobs/j"))))
                .isInstanceOfSatisfying(TransportException.class, e -> {
                    assertThat(e.isTimeout()).isTrue();
                    assertThat(e.getMessage()).contains("calling job");
                });
        assertThat(calls("job", "timeout")).isEqualTo(1);
        assertThat(calls("job", "io_error")).isZero();
    }

    @Test
    void aRefusedConnectionIsAnIoErrorNeverSent() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> await(client().send(account, HostUpCalls.fromUrlRequest(new ObjectMapper(), "vps_1", "https://example.org/a.iso", "a.iso", "none"))))
                .isInstanceOfSatisfying(TransportException.class, e -> {
                    assertThat(e.isTimeout()).isFalse();
                    assertThat(e.mayHaveBeenSent()).isFalse();
                });
        assertThat(calls("from_url", "io_error")).isEqualTo(1);
        assertThat(calls("from_url", "timeout")).isZero();
    }

    @Test
    void aPollUrlOutsideTheApisOriginIsRefusedWithoutACall() {
        HostUpClient c = client();
        int port = server.actualPort();
        for (String outside : List.of("http://example.org:" + port + "/api/jobs/j", "https://127.0.0.1:" + port + "/api/jobs/j",
                "http://127.0.0.1:" + (port == 65535 ? port - 1 : port + 1) + "/api/jobs/j")) {
            assertThatThrownBy(() -> await(c.send(account, HostUpCalls.jobRequest(outside)))).as(outside).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("outside the API base URL");
        }
        assertThat(seen).isEmpty();
        assertThat(c.resolve("  /api/jobs/j  ")).isEqualTo(base + "/api/jobs/j");
        assertThat(c.resolve("HTTP://127.0.0.1:" + port + "/api/jobs/j")).as("scheme and host in any case")
                .isEqualTo("HTTP://127.0.0.1:" + port + "/api/jobs/j");
    }

    @Test
    void theBaseUrlMustBeAnAbsoluteHttpUrl() {
        for (String bad : List.of("ftp://hostup.example/api", "/relative/only", "mailto:ops@example.org")) {
            assertThatThrownBy(() -> client(bad, CALL)).as(bad).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("HOSTUP_API_URL");
        }
        client("https://cloud.example.org", CALL);
        client("http://127.0.0.1:1", CALL);
    }
}
