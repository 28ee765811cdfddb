package dev.hostupiso.worker.preflight;

import dev.hostupiso.worker.config.PreflightMode;
import dev.hostupiso.worker.job.PreflightResult;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The probe against origins on loopback: an allow-listed one on 127.0.0.1 (redirect chains, loops,
 * 404/410, huge files, slow answers, servers refusing HEAD), and ones the guard must never reach
 * (127.0.0.2, [::1], a name resolving to 127.0.0.3). Names go through a stub resolver: no packet
 * leaves the machine.
 */
class UrlPreflightTest {

    private static final long GIB = 1024L * 1024 * 1024;

    private static Vertx vertx;
    private static Origin origin;     // 127.0.0.1, allow-listed
    private static Origin forbidden;  // 127.0.0.2, not allow-listed: must never see a connection
    private static Origin forbidden6; // [::1], not allow-listed
    private StubResolver resolver;

    /** A scriptable HTTP origin recording what it was asked. */
    static final class Origin {
        final HttpServer server;
        final String host;
        final Map<String, Consumer<HttpServerRequest>> routes = new ConcurrentHashMap<>();
        final List<String> seen = new CopyOnWriteArrayList<>();
        final List<Map<String, String>> headers = new CopyOnWriteArrayList<>();

        Origin(String host) throws Exception {
            this.host = host;
            this.server = vertx.createHttpServer().requestHandler(req -> {
                seen.add(req.method() + " " + req.uri());
                Map<String, String> h = new ConcurrentHashMap<>();
                req.headers().forEach(e -> h.put(e.getKey().toLowerCase(), e.getValue()));
                headers.add(h);
                routes.getOrDefault(req.path(), r -> r.response().setStatusCode(404).end()).accept(req);
            }).listen(0, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        int port() {
            return server.actualPort();
        }

        String url(String path) {
            return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + path;
        }

        void redirect(String from, int status, String to) {
            routes.put(from, r -> r.response().setStatusCode(status).putHeader("Location", to).end());
        }

        void file(String path, long size) {
            routes.put(path, r -> {
                if (r.method() == HttpMethod.HEAD) {
                    r.response().putHeader("Content-Length", Long.toString(size)).end();
                } else {
                    r.response().setStatusCode(206).putHeader("Content-Range", "bytes 0-0/" + size).end("x");
                }
            });
        }
    }

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        origin = new Origin("127.0.0.1");
        forbidden = new Origin("127.0.0.2");
        forbidden6 = new Origin("::1");
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void reset() {
        for (Origin o : List.of(origin, forbidden, forbidden6)) {
            o.routes.clear();
            o.seen.clear();
            o.headers.clear();
        }
        resolver = new StubResolver().map("mirror.test", "127.0.0.1").map("evil.test", "127.0.0.3")
                .map("mixed.test", "127.0.0.1", "127.0.0.2");
        forbidden.file("/secret.iso", 10);
        forbidden6.file("/secret.iso", 10);
    }

    private PreflightResult check(PreflightMode mode, String url) {
        return check(mode, url, Duration.ofSeconds(2), 5);
    }

    private PreflightResult check(PreflightMode mode, String url, Duration timeout, int maxRedirects) {
        AddressGuard guard = AddressGuard.allowing(List.of("127.0.0.1:" + origin.port()));
        UrlPreflight preflight = new UrlPreflight(vertx, new PreflightSettings(mode, maxRedirects, timeout, guard,
                PreflightSettings.HOSTUP_MAX_BYTES), resolver);
        try {
            return preflight.check(url).await().atMost(Duration.ofSeconds(30));
        } finally {
            preflight.close();
        }
    }

    @Test
    void aFileAnsweredDirectlyPasses() {
        origin.file("/ubuntu.iso", 3 * GIB);
        assertThat(check(PreflightMode.RESOLVE, origin.url("/ubuntu.iso"))).isEqualTo(new PreflightResult.Passed(3 * GIB));
        assertThat(origin.seen).containsExactly("HEAD /ubuntu.iso");
    }

    @Test
    void aRedirectChainIsFollowedHopByHopToTheFinalUrl() {
        String last = origin.url("/files/ubuntu.iso?X-Amz-Signature=s3cr3t");
        origin.redirect("/latest.iso", 302, "/mirror/ubuntu.iso");          // relative Location
        origin.redirect("/mirror/ubuntu.iso", 301, last);
        origin.file("/files/ubuntu.iso", 5 * GIB);
        PreflightResult r = check(PreflightMode.RESOLVE, origin.url("/latest.iso"));
        assertThat(r).isEqualTo(new PreflightResult.Resolved(last, List.of(origin.url("/mirror/ubuntu.iso"), last), 5 * GIB));
        assertThat(origin.seen).containsExactly("HEAD /latest.iso", "HEAD /mirror/ubuntu.iso",
                "HEAD /files/ubuntu.iso?X-Amz-Signature=s3cr3t");
    }

    @Test
    void checkModeRefusesTheFirstRedirectWithTheChainRedacted() {
        origin.redirect("/latest.iso", 307, origin.url("/dl/t0k3n/ubuntu.iso?sig=s3cr3t"));
        PreflightResult r = check(PreflightMode.CHECK, origin.url("/latest.iso"));
        assertThat(r).isInstanceOf(PreflightResult.Refused.class);
        PreflightResult.Refused refused = (PreflightResult.Refused) r;
        assertThat(refused.code()).isEqualTo("url_redirects");
        assertThat(refused.reason()).contains("HTTP 307").contains(origin.url("/…/ubuntu.iso?…"))
                .doesNotContain("s3cr3t").doesNotContain("t0k3n");
        assertThat(origin.seen).containsExactly("HEAD /latest.iso");
    }

    @Test
    void aRedirectLoopIsRefusedWithTheHopsSeen() {
        origin.redirect("/a.iso", 302, "/b.iso");
        origin.redirect("/b.iso", 302, "/a.iso");
        PreflightResult r = check(PreflightMode.RESOLVE, origin.url("/a.iso"));
        assertThat(r).isInstanceOfSatisfying(PreflightResult.Refused.class, refused -> {
            assertThat(refused.code()).isEqualTo("url_redirects");
            assertThat(refused.reason()).startsWith("a redirect loop: ").contains(origin.url("/b.iso"));
            assertThat(refused.chain()).containsExactly(origin.url("/b.iso"), origin.url("/a.iso"));
        });
        assertThat(origin.seen).hasSize(2);
    }

    @Test
    void moreRedirectsThanAllowedAreRefused() {
        for (int i = 0; i < 6; i++) {
            origin.redirect("/r" + i + ".iso", 302, "/r" + (i + 1) + ".iso");
        }
        origin.file("/r6.iso", 10);
        PreflightResult r = check(PreflightMode.RESOLVE, origin.url("/r0.iso"), Duration.ofSeconds(2), 5);
        assertThat(r).isInstanceOfSatisfying(PreflightResult.Refused.class, refused -> {
            assertThat(refused.code()).isEqualTo("url_redirects");
            assertThat(refused.reason()).startsWith("more than 5 redirects: ");
            assertThat(refused.redirects()).isEqualTo(6);
        });
        assertThat(origin.seen).hasSize(6).doesNotContain("HEAD /r6.iso");
    }

    @Test
    void notFoundAndGoneAreRefusedWithoutAGet() {
        assertThat(check(PreflightMode.RESOLVE, origin.url("/missing.iso")))
                .isInstanceOfSatisfying(PreflightResult.Refused.class, r -> assertThat(r.code()).isEqualTo("url_not_found"));
        assertThat(origin.seen).containsExactly("HEAD /missing.iso");
        origin.routes.put("/gone.iso", r -> r.response().setStatusCode(410).end());
        origin.redirect("/old.iso", 302, "/gone.iso");
        assertThat(check(PreflightMode.RESOLVE, origin.url("/old.iso")))
                .isInstanceOfSatisfying(PreflightResult.Refused.class, r -> {
                    assertThat(r.code()).isEqualTo("url_not_found");
                    assertThat(r.reason()).contains("410");
                    assertThat(r.redirects()).isEqualTo(1);
                });
    }

    @Test
    void aFileAbove20GiBIsRefusedFromContentLengthOrContentRange() {
        origin.file("/huge.iso", 20 * GIB + 1);
        assertThat(check(PreflightMode.RESOLVE, origin.url("/huge.iso")))
                .isInstanceOfSatisfying(PreflightResult.Refused.class, r -> assertThat(r.code()).isEqualTo("file_too_large"));
        origin.routes.put("/huge-get.iso", r -> {
            if (r.method() == HttpMethod.HEAD) {
                r.response().setStatusCode(405).end();
            } else {
                r.response().setStatusCode(206).putHeader("Content-Range", "bytes 0-0/" + (25 * GIB)).end("x");
            }
        });
        assertThat(check(PreflightMode.RESOLVE, origin.url("/huge-get.iso")))
                .isInstanceOfSatisfying(PreflightResult.Refused.class, r -> assertThat(r.code()).isEqualTo("file_too_large"));
        origin.file("/exactly.iso", 20 * GIB);
        assertThat(check(PreflightMode.RESOLVE, origin.url("/exactly.iso"))).isInstanceOf(PreflightResult.Passed.class);
    }

    @Test
    void aServerRefusingHeadIsAskedWithAOneByteGet() {
        origin.routes.put("/nohead.iso", r -> {
            if (r.method() == HttpMethod.HEAD) {
                r.response().setStatusCode(405).end();
            } else {
                r.response().setStatusCode(206).putHeader("Content-Range", "bytes 0-0/1000").end("x");
            }
        });
        assertThat(check(PreflightMode.RESOLVE, origin.url("/nohead.iso"))).isInstanceOf(PreflightResult.Passed.class);
        assertThat(origin.seen).containsExactly("HEAD /nohead.iso", "GET /nohead.iso");
        assertThat(origin.headers.get(1)).containsEntry("range", "bytes=0-0");
    }

    @Test
    void aHeadAnsweredWithoutASizeIsNotAskedAgainWithAGet() {
        origin.routes.put("/nosize.iso", r -> r.response().setChunked(true).end());
        assertThat(check(PreflightMode.RESOLVE, origin.url("/nosize.iso"))).isInstanceOf(PreflightResult.Passed.class);
        assertThat(origin.seen).containsExactly("HEAD /nosize.iso");
    }

    @Test
    void anInternalNameAndAnUnknownOneReadTheSameInTheOutcome() {
        // The requester must not learn that evil.test resolves (to an internal address) and nowhere.test does not.
        PreflightResult internal = check(PreflightMode.RESOLVE, "http://evil.test:" + forbidden.port() + "/x.iso");
        PreflightResult unknown = check(PreflightMode.RESOLVE, "http://nowhere.test:" + forbidden.port() + "/x.iso");
        assertThat(internal).isEqualTo(unknown);
        assertThat(((PreflightResult.Skipped) internal).reason()).doesNotContain("loopback").doesNotContain("127.");
        assertThat(forbidden.seen).isEmpty();
    }

    @Test
    void aGetIgnoringRangeIsNotReadBeyondItsHeaders() {
        // 200 with a 10 GiB body announced and never finished: only a probe that stops at the headers
        // answers within the hop timeout (waiting for the body would end as "timeout").
        origin.routes.put("/norange.iso", r -> {
            if (r.method() == HttpMethod.HEAD) {
                r.response().setStatusCode(501).end();
            } else {
                r.response().putHeader("Content-Length", Long.toString(10 * GIB)).write("x".repeat(64 * 1024));
            }
        });
        assertThat(check(PreflightMode.RESOLVE, origin.url("/norange.iso"), Duration.ofSeconds(2), 5))
                .isInstanceOf(PreflightResult.Passed.class);
    }

    @Test
    void aSlowOriginIsSkippedAfterTheHopTimeout() {
        origin.routes.put("/slow.iso", r -> vertx.setTimer(3000, t -> r.response().end()));
        // The origin would answer after 3 s: "timeout" means the probe gave up at its 300 ms budget.
        PreflightResult r = check(PreflightMode.RESOLVE, origin.url("/slow.iso"), Duration.ofMillis(300), 5);
        assertThat(r).isEqualTo(new PreflightResult.Skipped("timeout", List.of()));
    }

    @Test
    void whatTheWorkerCannotSeeIsSkipped() {
        origin.routes.put("/private.iso", r -> r.response().setStatusCode(403).end());
        origin.routes.put("/broken.iso", r -> r.response().setStatusCode(503).end());
        assertThat(check(PreflightMode.RESOLVE, origin.url("/private.iso")))
                .isEqualTo(new PreflightResult.Skipped("the origin answered HTTP 403", List.of()));
        assertThat(origin.seen).as("a GET could spend a single-use link: only a refused HEAD is asked again")
                .containsExactly("HEAD /private.iso");
        assertThat(check(PreflightMode.RESOLVE, origin.url("/broken.iso")))
                .isEqualTo(new PreflightResult.Skipped("the origin answered HTTP 503", List.of()));
        assertThat(check(PreflightMode.RESOLVE, "http://nowhere.test/x.iso"))
                .isEqualTo(new PreflightResult.Skipped(PreflightReasons.HOST_NOT_PROBED, List.of()));
    }

    @Test
    void aClosedPortIsSkippedAsRefused() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        UrlPreflight preflight = new UrlPreflight(vertx, new PreflightSettings(PreflightMode.RESOLVE, 5, Duration.ofSeconds(2),
                AddressGuard.allowing(List.of("127.0.0.1")), PreflightSettings.HOSTUP_MAX_BYTES), resolver);
        assertThat(preflight.check("http://127.0.0.1:" + closed + "/x.iso").await().atMost(Duration.ofSeconds(10)))
                .isEqualTo(new PreflightResult.Skipped("connection refused", List.of()));
        preflight.close();
    }

    @Test
    void noCredentialReachesTheOriginAndTheHostHeaderCarriesTheName() {
        origin.file("/ubuntu.iso", 10);
        String url = "http://user:pa55word@mirror.test:" + origin.port() + "/ubuntu.iso";
        assertThat(check(PreflightMode.RESOLVE, url)).isInstanceOf(PreflightResult.Passed.class);
        assertThat(origin.headers.get(0)).doesNotContainKey("authorization").doesNotContainKey("cookie")
                .containsEntry("host", "mirror.test:" + origin.port());
        assertThat(resolver.asked()).containsExactly("mirror.test");
    }

    // ------------------------------------------------------------------ the guard, in the process

    @Test
    void loopbackAddressesThatAreNotAllowListedAreNeverContacted() {
        assertThat(check(PreflightMode.RESOLVE, forbidden.url("/secret.iso")))
                .isEqualTo(new PreflightResult.Skipped(PreflightReasons.HOST_NOT_PROBED, List.of()));
        assertThat(check(PreflightMode.RESOLVE, forbidden6.url("/secret.iso")))
                .isEqualTo(new PreflightResult.Skipped(PreflightReasons.HOST_NOT_PROBED, List.of()));
        // The allow-listed address on another port is not allowed either.
        assertThat(check(PreflightMode.RESOLVE, "http://127.0.0.1:" + forbidden.port() + "/secret.iso"))
                .isEqualTo(new PreflightResult.Skipped(PreflightReasons.HOST_NOT_PROBED, List.of()));
        assertThat(forbidden.seen).isEmpty();
        assertThat(forbidden6.seen).isEmpty();
    }

    @Test
    void aRedirectFromAnAllowedOriginToABlockedAddressStopsThere() {
        origin.redirect("/to-v4.iso", 302, forbidden.url("/secret.iso"));
        origin.redirect("/to-v6.iso", 302, forbidden6.url("/secret.iso"));
        origin.redirect("/to-name.iso", 302, "http://evil.test:" + forbidden.port() + "/secret.iso");
        origin.redirect("/to-mapped.iso", 302, "http://[::ffff:127.0.0.2]:" + forbidden.port() + "/secret.iso");
        for (String path : List.of("/to-v4.iso", "/to-v6.iso", "/to-name.iso", "/to-mapped.iso")) {
            PreflightResult r = check(PreflightMode.RESOLVE, origin.url(path));
            assertThat(r).as(path).isInstanceOfSatisfying(PreflightResult.Skipped.class, s -> {
                assertThat(s.reason()).isEqualTo(PreflightReasons.HOST_NOT_PROBED);
                assertThat(s.redirects()).isEqualTo(1);
            });
        }
        assertThat(forbidden.seen).isEmpty();
        assertThat(forbidden6.seen).isEmpty();
        assertThat(resolver.asked()).containsExactly("evil.test");
    }

    @Test
    void aNameWithOneBlockedAddressAmongAllowedOnesIsNotProbed() {
        origin.file("/ubuntu.iso", 10);
        assertThat(check(PreflightMode.RESOLVE, "http://mixed.test:" + origin.port() + "/ubuntu.iso"))
                .isEqualTo(new PreflightResult.Skipped(PreflightReasons.HOST_NOT_PROBED, List.of()));
        assertThat(origin.seen).isEmpty();
    }
}
