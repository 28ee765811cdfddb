package dev.hostupiso.worker.e2e;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A download origin on 127.0.0.1 for the preflight: paths redirect or answer a small file. */
final class LoopbackOrigin implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    final List<String> seen = new CopyOnWriteArrayList<>();

    LoopbackOrigin() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            String to = redirects.get(path);
            if (to != null) {
                exchange.getResponseHeaders().add("Location", to);
                exchange.sendResponseHeaders(302, -1);
            } else if (path.endsWith(".iso")) {
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, -1);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://<host>:<port><path>}. */
    String url(String host, String path) {
        return "http://" + host + ":" + port() + path;
    }

    void redirect(String path, String to) {
        redirects.put(path, to);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
