package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.config.HostUpConfig;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link HostUpEgress} without a network: which proxy and CA settings it accepts, what options they become, and the
 * start-up error each mistake gives. {@link HostUpEgressTest} checks the same settings against a real proxy and TLS.
 */
class HostUpEgressSettingsTest {

    @TempDir
    Path dir;

    private static HostUpConfig config(Map<String, Object> egress) {
        return (HostUpConfig) Proxy.newProxyInstance(HostUpConfig.class.getClassLoader(), new Class<?>[] {HostUpConfig.class},
                (self, method, args) -> switch (method.getName()) {
                    case "url" -> "https://cloud.example.org";
                    case "requestTimeout" -> Duration.ofSeconds(30);
                    case "maxConnections" -> 4;
                    case "toString" -> "HostUpConfig" + egress;
                    case "hashCode" -> System.identityHashCode(self);
                    case "equals" -> self == args[0];
                    default -> Optional.ofNullable(egress.get(method.getName()));
                });
    }

    private static WebClientOptions apply(Map<String, Object> egress) {
        return HostUpEgress.apply(new WebClientOptions(), config(egress));
    }

    private static ProxyOptions proxy(String url) {
        return HostUpEgress.proxy(url, Optional.empty(), Optional.empty());
    }

    private static void refused(String url, String because) {
        assertThatThrownBy(() -> proxy(url)).as(url).isInstanceOf(IllegalStateException.class).hasMessageContaining(because);
    }

    @Test
    void aProxyWithCredentialsAndHostsThatBypassIt() {
        WebClientOptions o = apply(Map.of("proxy", " http://proxy.corp:3128 ", "proxyUsername", " alice ",
                "proxyPassword", "s3cret", "nonProxyHosts", List.of(" localhost ", "", "*.svc.cluster.local")));
        ProxyOptions p = o.getProxyOptions();
        assertThat(p.getType()).isEqualTo(ProxyType.HTTP);
        assertThat(p.getHost()).isEqualTo("proxy.corp");
        assertThat(p.getPort()).isEqualTo(3128);
        assertThat(p.getUsername()).isEqualTo("alice");
        assertThat(p.getPassword()).isEqualTo("s3cret");
        assertThat(o.getNonProxyHosts()).containsExactly("localhost", "*.svc.cluster.local");
    }

    @Test
    void blankSettingsMeanDirectWithTheJdksCas() {
        WebClientOptions o = apply(Map.of("proxy", "  ", "caFile", " ", "nonProxyHosts", List.of("localhost")));
        assertThat(o.getProxyOptions()).isNull();
        assertThat(o.getNonProxyHosts()).as("without a proxy there is nothing to bypass").isNullOrEmpty();
        assertThat(o.getTrustOptions()).isNull();
        assertThat(apply(Map.of()).getProxyOptions()).isNull();
    }

    @Test
    void socks5AndIpv6ProxiesAndTheSchemeInAnyCase() {
        ProxyOptions socks = proxy("SOCKS5://[fd00::1]:1080/");
        assertThat(socks.getType()).isEqualTo(ProxyType.SOCKS5);
        assertThat(socks.getHost()).as("the bare address").isEqualTo("fd00::1");
        assertThat(socks.getPort()).isEqualTo(1080);
        assertThat(proxy("http://10.0.0.1:8080").getUsername()).isNull();
    }

    @Test
    void eachProxyMistakeFailsTheStartWithItsOwnReasonAndNoSecret() {
        refused("http://bob:pw@proxy.corp:3128", "must not carry credentials");
        assertThatThrownBy(() -> proxy("http://bob:pw@proxy.corp:3128")).hasMessageNotContaining("pw");
        refused("https://proxy.corp:3128", "needs the scheme http or socks5");
        refused("proxy.corp:3128", "needs the scheme http or socks5");
        refused("http://proxy.corp", "needs a host and a port");
        refused("http:///:3128", "needs a host and a port");
        refused("http://proxy.corp:3128/path", "takes no path or query");
        refused("http://proxy.corp:3128?a=1", "takes no path or query");
        refused("http://proxy.corp:3128#f", "takes no path or query");
        refused("http://proxy corp:3128", "is not a URL");
        assertThatThrownBy(() -> HostUpEgress.proxy("http://proxy.corp:3128", Optional.empty(), Optional.of("pw")))
                .hasMessageContaining("PASSWORD is set without");
        ProxyOptions user = HostUpEgress.proxy("http://proxy.corp:3128", Optional.of("bob"), Optional.empty());
        assertThat(user.getUsername()).isEqualTo("bob");
        assertThat(user.getPassword()).isNull();
    }

    /** One of the JDK's own CAs, written as a PEM bundle. */
    private Path pemOf(X509Certificate ca) throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ca.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        Path file = dir.resolve("ca.pem");
        Files.writeString(file, pem);
        return file;
    }

    @Test
    void aCaBundleIsTrustedOnTopOfTheJdksDefaults() throws Exception {
        X509Certificate[] defaults = HostUpEgress.defaultTrustManager().getAcceptedIssuers();
        assertThat(defaults).isNotEmpty();
        X509Certificate ca = defaults[0];
        TrustManagerFactory factory = HostUpEgress.trustingDefaultsAnd(pemOf(ca));
        X509TrustManager tm = (X509TrustManager) factory.getTrustManagers()[0];
        // The bundle here is one of the defaults (a CA of its own would need a key tool), so the set stays the same size.
        assertThat(tm.getAcceptedIssuers()).as("every default, and the bundle's").contains(defaults).contains(ca)
                .hasSameSizeAs(defaults);
        assertThat(apply(Map.of("caFile", pemOf(ca).toString())).getTrustOptions()).isNotNull();
    }

    @Test
    void aCaFileThatIsMissingEmptyOrNotPemFailsTheStart() throws Exception {
        assertThatThrownBy(() -> HostUpEgress.trustingDefaultsAnd(dir.resolve("missing.pem")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be read");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> HostUpEgress.trustingDefaultsAnd(empty)).hasMessageContaining("holds no PEM certificate");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"),
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> HostUpEgress.trustingDefaultsAnd(garbage)).hasMessageContaining("is not a PEM certificate bundle");
    }
}
