package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.config.HostUpConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.TransportException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.mutiny.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The HostUp client's egress proxy and extra CA, wired into real calls: the HostUp simulator and a
 * TLS server as targets, a recording proxy in between, all on loopback.
 */
class HostUpEgressTest {

    static final String TOKEN = "egress-test-token";
    private static final WorkerMetrics ACCOUNT_METRICS = new WorkerMetrics(new SimpleMeterRegistry());
    static final Account ACCOUNT = new Account(Account.DEFAULT, TOKEN,
            new HostUpRateLimiterAccess().create(Clock.systemUTC(), ACCOUNT_METRICS, null), new ApiKeyState(ACCOUNT_METRICS, 3));
    static final String STORE_PASSWORD = "changeit";
    static final Duration CALL = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    static Path serverStore;
    static Path caBundle;
    static Vertx vertx;
    static HttpServer tlsServer;
    static final List<String> tlsRequests = new CopyOnWriteArrayList<>();

    HostUpSimulator simulator;
    LoopbackProxy proxy;
    HostUpClient client;

    @BeforeAll
    static void tlsServer() throws Exception {
        serverStore = dir.resolve("server.p12");
        caBundle = dir.resolve("ca-bundle.pem");
        Path pem = dir.resolve("server.pem");
        // A self-signed certificate for 127.0.0.1: the CA no JDK trusts by default.
        keytool("-genkeypair", "-alias", "api", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", serverStore.toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "api", "-keystore", serverStore.toString(), "-storepass", STORE_PASSWORD,
                "-file", pem.toString());
        // A bundle as distributions and trust-manager write them: text around the PEM blocks.
        Files.writeString(caBundle, "# corporate egress CA\n" + Files.readString(pem) + "\n");

        vertx = Vertx.vertx();
        tlsServer = vertx.getDelegate().createHttpServer(new HttpServerOptions().setSsl(true).setHost("127.0.0.1").setPort(0)
                        .setKeyCertOptions(new PfxOptions().setPath(serverStore.toString()).setPassword(STORE_PASSWORD)))
                .requestHandler(request -> {
                    tlsRequests.add(request.method() + " " + request.uri());
                    request.response().putHeader("Content-Type", "application/json").end("[]");
                })
                .listen().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopTlsServer() {
        tlsServer.close();
        vertx.closeAndAwait();
    }

    @BeforeEach
    void start() throws IOException {
        simulator = HostUpSimulator.start(TOKEN);
        simulator.vps("vps-1");
        proxy = new LoopbackProxy();
        tlsRequests.clear();
    }

    @AfterEach
    void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        proxy.close();
        simulator.close();
    }

    @Test
    @DisplayName("with HOSTUP_API_PROXY an http call goes to the proxy as an absolute-URI request with Proxy-Authorization")
    void plainHttpGoesThroughTheProxy() {
        client = client(simulator.baseUrl(), Map.of("proxy", proxy.url(),
                "proxyUsername", "alice", "proxyPassword", "s3cret"));

        ApiResponse response = client.send(ACCOUNT, HostUpCalls.isoLibraryRequest("vps-1")).await().atMost(CALL);

        assertThat(response.status()).isEqualTo(200);
        assertThat(proxy.heads()).hasSize(1);
        LoopbackProxy.Head head = proxy.heads().get(0);
        assertThat(head.requestLine()).isEqualTo("GET " + simulator.baseUrl() + "/api/v2/vps/vps-1/iso HTTP/1.1");
        assertThat(head.header("Proxy-Authorization")).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)));
        assertThat(head.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(simulator.totalCalls()).isEqualTo(1);
    }

    @Test
    @DisplayName("an https call is tunnelled with CONNECT, and the extra CA of HOSTUP_API_CA_FILE verifies the server")
    void httpsIsTunnelledAndVerifiedWithTheExtraCa() {
        client = client(tlsUrl(), Map.of("proxy", proxy.url(), "caFile", caBundle.toString()));

        ApiResponse response = client.send(ACCOUNT, HostUpCalls.isoLibraryRequest("vps-1")).await().atMost(CALL);

        assertThat(response.status()).isEqualTo(200);
        assertThat(proxy.heads()).extracting(LoopbackProxy.Head::requestLine)
                .containsExactly("CONNECT 127.0.0.1:" + tlsServer.actualPort() + " HTTP/1.1");
        assertThat(proxy.heads().get(0).header("Proxy-Authorization")).as("no credentials configured").isNull();
        assertThat(tlsRequests).containsExactly("GET /api/v2/vps/vps-1/iso");
    }

    @Test
    @DisplayName("without HOSTUP_API_CA_FILE the private CA is not trusted: the call fails in the TLS handshake")
    void withoutTheCaTheHandshakeFails() {
        client = client(tlsUrl(), Map.of());

        assertThatThrownBy(() -> client.send(ACCOUNT, HostUpCalls.isoLibraryRequest("vps-1")).await().atMost(CALL))
                .isInstanceOf(TransportException.class)
                .satisfies(e -> assertThat(causes(e)).anyMatch(SSLException.class::isInstance));
        assertThat(tlsRequests).isEmpty();
    }

    @Test
    @DisplayName("the CA bundle is added to the JDK's default CAs, not put in their place")
    void theCaBundleAddsToTheDefaultTrust() throws Exception {
        X509TrustManager defaults = HostUpEgress.defaultTrustManager();
        X509TrustManager combined = (X509TrustManager) HostUpEgress.trustingDefaultsAnd(caBundle).getTrustManagers()[0];
        X509Certificate extra = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(dir.resolve("server.pem")));

        assertThat(defaults.getAcceptedIssuers()).as("the JDK ships CAs").hasSizeGreaterThan(10);
        assertThat(combined.getAcceptedIssuers()).contains(defaults.getAcceptedIssuers()).contains(extra)
                .hasSize(defaults.getAcceptedIssuers().length + 1);
    }

    @Test
    @DisplayName("hosts in HOSTUP_API_NON_PROXY_HOSTS are called directly")
    void nonProxyHostsBypassTheProxy() {
        Map<String, Object> egress = Map.of("proxy", proxy.url(), "nonProxyHosts", List.of(" 127.0.0.1 ", "*.internal"));
        client = client(simulator.baseUrl(), egress);
        assertThat(client.send(ACCOUNT, HostUpCalls.isoLibraryRequest("vps-1")).await().atMost(CALL).status()).isEqualTo(200);
        assertThat(proxy.heads()).isEmpty();
        assertThat(simulator.totalCalls()).isEqualTo(1);
        client.close();

        // The same simulator under a name that is not listed goes through the proxy.
        client = client("http://localhost:" + simulator.port(), egress);
        assertThat(client.send(ACCOUNT, HostUpCalls.isoLibraryRequest("vps-1")).await().atMost(CALL).status()).isEqualTo(200);
        assertThat(proxy.heads()).extracting(LoopbackProxy.Head::requestLine)
                .containsExactly("GET http://localhost:" + simulator.port() + "/api/v2/vps/vps-1/iso HTTP/1.1");
    }

    @Test
    @DisplayName("a socks5 proxy URL selects SOCKS5; an IPv6 literal loses its brackets")
    void socksAndIpv6() {
        var options = HostUpEgress.proxy("socks5://[::1]:1080", Optional.empty(), Optional.empty());
        assertThat(options.getType()).isEqualTo(io.vertx.core.net.ProxyType.SOCKS5);
        assertThat(options.getHost()).isEqualTo("::1");
        assertThat(options.getPort()).isEqualTo(1080);
    }

    @Test
    @DisplayName("bad proxy or CA settings fail the start with a message naming the setting, never echoing credentials")
    void badSettingsFailTheStart() throws IOException {
        assertThatThrownBy(() -> client(simulator.baseUrl(), Map.of("proxy", "http://bob:hunter2@127.0.0.1:3128")))
                .hasMessageContaining("HOSTUP_API_PROXY must not carry credentials")
                .hasMessageContaining("HOSTUP_API_PROXY_USERNAME").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> client(simulator.baseUrl(), Map.of("proxy", "https://127.0.0.1:3128")))
                .hasMessageContaining("HOSTUP_API_PROXY needs the scheme http or socks5");
        assertThatThrownBy(() -> client(simulator.baseUrl(), Map.of("proxy", "http://proxy.example.com")))
                .hasMessageContaining("needs a host and a port");
        assertThatThrownBy(() -> client(simulator.baseUrl(), Map.of("proxy", "127.0.0.1:3128")))
                .hasMessageContaining("HOSTUP_API_PROXY");
        assertThatThrownBy(() -> client(simulator.baseUrl(), Map.of("proxy", proxy.url(), "proxyPassword", "hunter2")))
                .hasMessageContaining("HOSTUP_API_PROXY_PASSWORD is set without HOSTUP_API_PROXY_USERNAME")
                .hasMessageNotContaining("hunter2");

        assertThatThrownBy(() -> client(simulator.baseUrl(), Map.of("caFile", dir.resolve("missing.pem").toString())))
                .hasMessageContaining("HOSTUP_API_CA_FILE").hasMessageContaining("cannot be read");
        Path notPem = Files.writeString(dir.resolve("not-a-bundle.pem"), "just text\n");
        assertThatThrownBy(() -> client(simulator.baseUrl(), Map.of("caFile", notPem.toString())))
                .hasMessageContaining("HOSTUP_API_CA_FILE");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> client(simulator.baseUrl(), Map.of("caFile", empty.toString())))
                .hasMessageContaining("holds no PEM certificate");
    }

    @Test
    @DisplayName("unset and blank settings leave the client direct and on the default trust")
    void unsetMeansDirect() {
        client = client(simulator.baseUrl(), Map.of("proxy", " ", "caFile", ""));
        assertThat(client.send(ACCOUNT, HostUpCalls.isoLibraryRequest("vps-1")).await().atMost(CALL).status()).isEqualTo(200);
        assertThat(proxy.heads()).isEmpty();
    }

    @Test
    @DisplayName("the environment variables the chart sets bind to the client's settings")
    void environmentVariablesBind() {
        HostUpConfig config = new io.smallrye.config.SmallRyeConfigBuilder()
                .withMapping(HostUpConfig.class)
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter()) // "30s", as Quarkus reads it
                .withSources(new io.smallrye.config.EnvConfigSource(Map.of(
                        "HOSTUP_API_PROXY", "http://proxy.corp:3128",
                        "HOSTUP_API_PROXY_USERNAME", "alice",
                        "HOSTUP_API_PROXY_PASSWORD", "s3cret",
                        "HOSTUP_API_NON_PROXY_HOSTS", "localhost,*.svc.cluster.local",
                        "HOSTUP_API_CA_FILE", "/etc/hostup-iso-worker/hostup-ca/ca.crt"), 300) {
                })
                .build().getConfigMapping(HostUpConfig.class);

        assertThat(config.proxy()).contains("http://proxy.corp:3128");
        assertThat(config.proxyUsername()).contains("alice");
        assertThat(config.proxyPassword()).contains("s3cret");
        assertThat(config.nonProxyHosts()).contains(List.of("localhost", "*.svc.cluster.local"));
        assertThat(config.caFile()).contains("/etc/hostup-iso-worker/hostup-ca/ca.crt");
    }

    // ------------------------------------------------------------------------------- helpers

    static String tlsUrl() {
        return "https://127.0.0.1:" + tlsServer.actualPort();
    }

    /** A client on {@code url} with the named egress settings (method names of {@link HostUpConfig}); the rest unset. */
    HostUpClient client(String url, Map<String, Object> egress) {
        HostUpConfig config = (HostUpConfig) Proxy.newProxyInstance(HostUpConfig.class.getClassLoader(),
                new Class<?>[] {HostUpConfig.class}, (self, method, args) -> switch (method.getName()) {
                    case "url" -> url;
                    case "token" -> Optional.of(TOKEN);
                    case "requestTimeout" -> CALL.dividedBy(2);
                    case "maxConnections" -> 4;
                    case "instanceName" -> "egress-test";
                    case "toString" -> "HostUpConfig" + egress;
                    case "hashCode" -> System.identityHashCode(self);
                    case "equals" -> self == args[0];
                    default -> Optional.ofNullable(egress.get(method.getName()));
                });
        return new HostUpClient(vertx, config, new WorkerMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
    }

    static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable c = e; c != null && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }

    static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("keytool %s: %s", args[0], output).isZero();
    }
}
