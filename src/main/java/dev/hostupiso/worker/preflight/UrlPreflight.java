package dev.hostupiso.worker.preflight;

import dev.hostupiso.worker.config.PreflightMode;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.PreflightResult;
import dev.hostupiso.worker.job.UrlCheck;
import dev.hostupiso.worker.wire.UrlRedactor;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Looks at a download URL the way HostUp will, before from-url: {@code HEAD}, or a one-byte
 * {@code GET} ({@code Range: bytes=0-0}) only when the origin refuses HEAD (405, 501), following
 * redirects one hop at a time; a loop, or more than the allowed redirects, is refused
 * ({@code url_redirects}). Each hop resolves the name through the {@link Resolver}, lets the
 * {@link AddressGuard} check every address, and connects to the checked one (Host header and SNI
 * carry the name). No credential is ever sent: the client has no default headers and the URL's
 * userinfo is dropped. Only headers are read; the connection is closed before any body. Each hop
 * (lookup, HEAD, GET) has one timeout, which resets whatever request is still open or about to be sent.
 *
 * <p>The returned {@link Uni} never fails: whatever the worker cannot see (DNS, connection, TLS,
 * timeouts, 401/403, 5xx, a blocked address) is {@link PreflightResult.Skipped}.
 */
@ApplicationScoped
public class UrlPreflight implements UrlCheck {

    private static final Logger LOG = Logger.getLogger(UrlPreflight.class);
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    /** The longest URL a request may carry: a resolved URL longer than that is not submitted. */
    private static final int MAX_URL = 2048;

    private final PreflightSettings settings;
    private final Resolver resolver;
    private final HttpClient client;

    @Inject
    public UrlPreflight(Vertx vertx, WorkerConfig config, Resolver resolver) {
        this(vertx, PreflightSettings.from(config.urlPreflight()), resolver);
    }

    public UrlPreflight(Vertx vertx, PreflightSettings settings, Resolver resolver) {
        this.settings = settings;
        this.resolver = resolver;
        int millis = (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis());
        // Its own client: none of the API client's headers (the token), proxy or pool.
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(false)
                .setConnectTimeout(millis)
                .setTryUseCompression(false)
                .setVerifyHost(true)
                .setForceSni(true)
                .setMaxInitialLineLength(4096)
                .setMaxHeaderSize(16 * 1024)
                .setMaxRedirects(0));
    }

    @Override
    public PreflightMode mode() {
        return settings.mode();
    }

    /** Looks at {@code url}; never fails. */
    @Override
    public Uni<PreflightResult> check(String url) {
        URI start;
        try {
            start = new URI(url);
        } catch (URISyntaxException e) {
            return Uni.createFrom().item(new PreflightResult.Skipped("unreadable URL", List.of()));
        }
        Set<String> seen = new HashSet<>();
        seen.add(withoutFragment(start).toASCIIString());
        return hop(start, new ArrayList<>(), seen, false)
                .onFailure().recoverWithItem(f -> {
                    LOG.warnf("URL preflight of %s failed unexpectedly: %s", UrlRedactor.redact(url), f.toString());
                    return new PreflightResult.Skipped("preflight error: " + f.getClass().getSimpleName(), List.of());
                });
    }

    /** One hop; {@code fromPublic}: a public origin redirected here (then only {@code redirect:} entries allow an internal address). */
    private Uni<PreflightResult> hop(URI uri, List<String> chain, Set<String> seen, boolean fromPublic) {
        String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            return skipped("not an http(s) URL with a host: " + UrlRedactor.redact(uri.toString()), chain);
        }
        boolean https = scheme.equals("https");
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        String host = uri.getHost();
        boolean[] isPublic = new boolean[1];
        // The whole hop (lookup, HEAD, the GET fallback) shares one timeout; reaching it cancels them all.
        return address(host, port, fromPublic)
                .onItem().transformToUni(ip -> {
                    isPublic[0] = AddressGuard.category(ip).isEmpty();
                    return exchange(uri, host, port, https, ip, HttpMethod.HEAD)
                            .onItem().transformToUni(head -> head.needsGet()
                                    ? exchange(uri, host, port, https, ip, HttpMethod.GET) : Uni.createFrom().item(head));
                })
                .ifNoItem().after(settings.timeout()).failWith(() -> new TimeoutException("no answer within " + settings.timeout()))
                .onItem().transformToUni(answer -> interpret(uri, answer, chain, seen, isPublic[0]))
                .onFailure().recoverWithItem(f -> new PreflightResult.Skipped(PreflightReasons.unreachable(f, host), chain));
    }

    /** The address to connect to: a literal as written, else the first resolved one; every one must pass the guard. */
    private Uni<InetAddress> address(String host, int port, boolean fromPublic) {
        Optional<InetAddress> literal = AddressGuard.literal(host);
        Uni<List<InetAddress>> addresses = literal.isPresent() ? Uni.createFrom().item(List.of(literal.get()))
                : resolver.resolve(host);
        return addresses.map(list -> {
            if (list.isEmpty()) {
                throw new IllegalStateException("resolver answered no address");
            }
            // All, not just the one used: a name answering one public and one internal address is not probed.
            for (InetAddress a : list) {
                Optional<String> blocked = settings.guard().blocked(host, a, port, fromPublic);
                if (blocked.isPresent()) {
                    throw new PreflightReasons.BlockedAddress(blocked.get());
                }
            }
            return list.get(0);
        });
    }

    private Uni<Answer> exchange(URI uri, String host, int port, boolean https, InetAddress ip, HttpMethod method) {
        RequestOptions options = options(uri, host, port, https, ip, method);
        return Uni.createFrom().<Answer>emitter(em -> {
            AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
            AtomicBoolean over = new AtomicBoolean();
            // Whatever happens, the body is never read: the connection goes with the headers. A request
            // whose connection comes after the end (a timeout, a cancellation) is reset unsent.
            em.onTermination(() -> {
                over.set(true);
                HttpClientRequest r = sent.getAndSet(null);
                if (r != null) {
                    r.reset();
                }
            });
            client.request(options).onComplete(ar -> {
                if (ar.failed()) {
                    em.fail(ar.cause());
                    return;
                }
                HttpClientRequest request = ar.result();
                sent.set(request);
                if (over.get()) {
                    if (sent.getAndSet(null) != null) {
                        request.reset();
                    }
                    return;
                }
                request.send().onComplete(response -> {
                    if (response.failed()) {
                        em.fail(response.cause());
                    } else {
                        // The reset that ends the exchange once the headers are in is expected: without a handler
                        // Vert.x logs it as an ERROR ("Stream reset") for every probe.
                        response.result().exceptionHandler(expectedReset -> { });
                        em.complete(Answer.of(method, response.result()));
                    }
                });
            });
        });
    }

    /** The request to {@code ip}, the address the guard checked, with the name in Host and SNI and no credential. */
    private RequestOptions options(URI uri, String host, int port, boolean https, InetAddress ip, HttpMethod method) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        boolean defaultPort = port == (https ? 443 : 80);
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setServer(SocketAddress.inetSocketAddress(port, ip.getHostAddress()))
                .setHost(bareHost)
                .setPort(port)
                .setSsl(https)
                .setURI(target)
                .setFollowRedirects(false)
                .setConnectTimeout(settings.timeout().toMillis())
                .setIdleTimeout(settings.timeout().toMillis())
                .putHeader("Host", defaultPort ? host : host + ":" + port)
                .putHeader("User-Agent", "hostup-iso-worker (url preflight)")
                .putHeader("Accept", "*/*")
                .putHeader("Accept-Encoding", "identity");
        if (method == HttpMethod.GET) {
            options.putHeader("Range", "bytes=0-0");
        }
        return options;
    }

    private Uni<PreflightResult> interpret(URI uri, Answer answer, List<String> chain, Set<String> seen, boolean isPublic) {
        int status = answer.status();
        if (REDIRECTS.contains(status)) {
            return redirected(uri, answer, chain, seen, isPublic);
        }
        if (status == 404 || status == 410) {
            return Uni.createFrom().item(new PreflightResult.Refused(PreflightResult.URL_NOT_FOUND,
                    "the origin answered HTTP " + status + " for " + UrlRedactor.redact(uri.toString()), chain));
        }
        if (status >= 200 && status < 300) {
            return found(answer, chain);
        }
        return skipped("the origin answered HTTP " + status, chain);
    }

    /**
     * A redirect: refused in check mode, else followed; one that loops or goes on too long is refused
     * too (HostUp refuses URLs that redirect: submitting the original could only fail later).
     */
    private Uni<PreflightResult> redirected(URI uri, Answer answer, List<String> chain, Set<String> seen, boolean isPublic) {
        int status = answer.status();
        if (answer.location() == null) {
            return skipped("HTTP " + status + " without a Location", chain);
        }
        URI next;
        try {
            next = withoutFragment(uri.resolve(new URI(answer.location().strip())));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return skipped("unreadable redirect target", chain);
        }
        List<String> longer = new ArrayList<>(chain);
        longer.add(next.toASCIIString());
        if (settings.mode() == PreflightMode.CHECK) {
            return Uni.createFrom().item(new PreflightResult.Refused(PreflightResult.URL_REDIRECTS,
                    "the URL redirects (HTTP " + status + "): " + UrlRedactor.redactChain(longer), longer));
        }
        if (!seen.add(next.toASCIIString())) {
            return refusedRedirects("a redirect loop: " + UrlRedactor.redactChain(longer), longer);
        }
        if (longer.size() > settings.maxRedirects()) {
            return refusedRedirects("more than " + settings.maxRedirects() + " redirects: " + UrlRedactor.redactChain(longer), longer);
        }
        LOG.debugf("URL preflight: %s redirects (HTTP %d) to %s", UrlRedactor.redact(uri.toString()), status,
                UrlRedactor.redact(next.toString()));
        return hop(next, longer, seen, isPublic);
    }

    private static Uni<PreflightResult> refusedRedirects(String reason, List<String> chain) {
        return Uni.createFrom().item(new PreflightResult.Refused(PreflightResult.URL_REDIRECTS, reason, chain));
    }

    /** The origin has the file: too large for HostUp, or found where asked, or at the end of redirects. */
    private Uni<PreflightResult> found(Answer answer, List<String> chain) {
        Long size = answer.size();
        if (size != null && size > settings.maxBytes()) {
            return Uni.createFrom().item(new PreflightResult.Refused(PreflightResult.FILE_TOO_LARGE,
                    "the origin reports " + size + " bytes; HostUp takes at most 20 GB (" + settings.maxBytes() + " bytes)",
                    chain));
        }
        if (chain.isEmpty()) {
            return Uni.createFrom().item(new PreflightResult.Passed(size));
        }
        String last = chain.get(chain.size() - 1);
        if (last.length() > MAX_URL) {
            return skipped("the final URL is longer than " + MAX_URL + " characters", chain);
        }
        return Uni.createFrom().item(new PreflightResult.Resolved(last, chain, size));
    }

    private static Uni<PreflightResult> skipped(String reason, List<String> chain) {
        return Uni.createFrom().item(new PreflightResult.Skipped(reason, chain));
    }

    private static URI withoutFragment(URI u) {
        if (u.getRawFragment() == null) {
            return u;
        }
        String s = u.toASCIIString();
        return URI.create(s.substring(0, s.indexOf('#')));
    }

    @PreDestroy
    public void close() {
        client.close();
    }


}
