package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.config.HostUpConfig;
import dev.hostupiso.worker.wire.UrlRedactor;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How the HostUp client leaves the network: through an optional egress proxy, trusting extra CAs on
 * top of the JDK's own. Corporate egress often needs both (a proxy that inspects TLS with its own
 * CA). The settings are checked once, at start-up, so a typo fails the boot instead of every call.
 */
final class HostUpEgress {

    private HostUpEgress() {
    }

    /** Applies the proxy and CA settings of {@code config} to {@code options} and returns them. */
    static WebClientOptions apply(WebClientOptions options, HostUpConfig config) {
        nonBlank(config.proxy()).ifPresent(url -> {
            options.setProxyOptions(proxy(url, nonBlank(config.proxyUsername()), nonBlank(config.proxyPassword())));
            config.nonProxyHosts().ifPresent(hosts -> options.setNonProxyHosts(
                    hosts.stream().map(String::strip).filter(h -> !h.isEmpty()).toList()));
        });
        nonBlank(config.caFile()).ifPresent(file -> options.setTrustOptions(TrustOptions.wrap(trustingDefaultsAnd(Path.of(file)))));
        return options;
    }

    /** The proxy named by {@code url} ({@code http://host:port} or {@code socks5://host:port}). */
    static ProxyOptions proxy(String url, Optional<String> username, Optional<String> password) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw invalidProxy("is not a URL", url);
        }
        if (uri.getRawUserInfo() != null) {
            // Not echoed: the user info is what must not end up in a log.
            throw new IllegalStateException("HOSTUP_API_PROXY must not carry credentials: "
                    + "set HOSTUP_API_PROXY_USERNAME and HOSTUP_API_PROXY_PASSWORD instead");
        }
        ProxyType type = switch (String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT)) {
            case "http" -> ProxyType.HTTP;
            case "socks5" -> ProxyType.SOCKS5;
            default -> throw invalidProxy("needs the scheme http or socks5 (a TLS connection to the proxy itself is not supported)", url);
        };
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw invalidProxy("needs a host and a port, e.g. http://proxy.example.com:3128", url);
        }
        if (!(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalidProxy("takes no path or query", url);
        }
        if (password.isPresent() && username.isEmpty()) {
            throw new IllegalStateException("HOSTUP_API_PROXY_PASSWORD is set without HOSTUP_API_PROXY_USERNAME");
        }
        // URI keeps the brackets of an IPv6 literal; the proxy options want the bare address.
        String host = uri.getHost().replaceAll("^\\[(.*)]$", "$1");
        ProxyOptions proxy = new ProxyOptions().setType(type).setHost(host).setPort(uri.getPort());
        username.ifPresent(proxy::setUsername);
        password.ifPresent(proxy::setPassword);
        return proxy;
    }

    /** A trust manager factory trusting the JDK's default CAs plus every certificate of {@code pemBundle}. */
    static TrustManagerFactory trustingDefaultsAnd(Path pemBundle) {
        List<X509Certificate> extra = readCertificates(pemBundle);
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509Certificate ca : defaultTrustManager().getAcceptedIssuers()) {
                store.setCertificateEntry("default-" + i++, ca);
            }
            for (X509Certificate ca : extra) {
                store.setCertificateEntry("extra-" + i++, ca);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the trust store for HOSTUP_API_CA_FILE " + pemBundle + ": " + e.getMessage(), e);
        }
    }

    static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("the JDK offers no X.509 trust manager");
    }

    private static List<X509Certificate> readCertificates(Path pemBundle) {
        List<X509Certificate> certificates;
        try (InputStream in = Files.newInputStream(pemBundle)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast).toList();
        } catch (IOException e) {
            throw new IllegalStateException("HOSTUP_API_CA_FILE " + pemBundle + " cannot be read: " + e, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HOSTUP_API_CA_FILE " + pemBundle + " is not a PEM certificate bundle: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalStateException("HOSTUP_API_CA_FILE " + pemBundle + " holds no PEM certificate");
        }
        return certificates;
    }

    private static IllegalStateException invalidProxy(String problem, String url) {
        return new IllegalStateException("HOSTUP_API_PROXY " + problem + ", got " + UrlRedactor.redact(url));
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value.map(String::strip).filter(v -> !v.isEmpty());
    }
}
