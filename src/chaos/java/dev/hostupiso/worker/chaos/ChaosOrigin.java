package dev.hostupiso.worker.chaos;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The origin the soak's request URLs point at, so that the workers' URL preflight runs and learns each file's size
 * (which sizes the ambiguity window). It answers {@code HEAD} with the size registered for the path, and never sends
 * a body: any other method gets 405 without one, an unknown path 404. Listens on one given address only (loopback,
 * or a 198.18.0.0/15 host-side address the namespaces reach).
 */
final class ChaosOrigin implements AutoCloseable {

    private final HttpServer server;
    private final String host;
    private final Map<String, Long> sizes = new ConcurrentHashMap<>();
    private final AtomicLong heads = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    ChaosOrigin(String host) throws IOException {
        this.host = host;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "chaos-origin");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** Registers a file of {@code bytes} and answers its URL. */
    String file(String filename, long bytes) {
        sizes.put("/" + filename, bytes);
        return baseUrl() + "/" + filename;
    }

    String baseUrl() {
        return "http://" + host + ":" + port();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The {@code ISO_URL_PREFLIGHT_ALLOW} entry that lets the workers' preflight reach exactly this origin. */
    String allowEntry() {
        return host + ":" + port();
    }

    /** HEADs answered with a size. */
    long heads() {
        return heads.get();
    }

    /** Requests answered 404 or 405. */
    long refused() {
        return refused.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Long size = sizes.get(ex.getRequestURI().getRawPath());
            if (size == null) {
                refused.incrementAndGet();
                ex.sendResponseHeaders(404, -1);
            } else if (!"HEAD".equals(ex.getRequestMethod())) {
                refused.incrementAndGet(); // never a body: the preflight needs only HEAD
                ex.getResponseHeaders().set("Allow", "HEAD");
                ex.sendResponseHeaders(405, -1);
            } else {
                heads.incrementAndGet();
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.getResponseHeaders().set("Content-Length", Long.toString(size));
                ex.sendResponseHeaders(200, -1);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
