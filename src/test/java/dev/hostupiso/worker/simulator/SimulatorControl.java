package dev.hostupiso.worker.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback control API for a {@link HostUpSimulator}, so a harness in another process can drive the faults and
 * read the download counts. Answers are plain text; unknown routes answer 404, bad parameters 400.
 * <ul>
 * <li>{@code GET /control/downloads} — one line per file: {@code vpsId filename started};</li>
 * <li>{@code GET /control/downloads-started?vps=V&filename=F} — downloads started for that file;</li>
 * <li>{@code GET /control/second-downloads} — {@link HostUpSimulator#secondDownloads()};</li>
 * <li>{@code GET /control/faults-injected} — one line per fault kind: {@code FAULT count};</li>
 * <li>{@code POST /control/faults?serverError=&html502=&rateLimitStorm=&stall=&reset=&oversized=&lostAfterQueue=&stallMs=&stormLength=}
 * — random fault rates (missing rates are 0);</li>
 * <li>{@code POST /control/ip-restricted?on=true|false} — {@link HostUpSimulator#ipRestricted(boolean)};</li>
 * <li>{@code POST /control/ratelimit?calls=N&windowMs=W&model=fixed|sliding|token-bucket} — per-key rate limit
 * ({@link RateWindowModel}, default fixed; {@code calls=0}: off).</li>
 * </ul>
 */
public final class SimulatorControl implements AutoCloseable {

    private final HostUpSimulator sim;
    private final HttpServer server;
    private final ExecutorService executor;

    private SimulatorControl(HostUpSimulator sim) throws IOException {
        this.sim = sim;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hostup-sim-control");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/control/", this::handle);
        server.start();
    }

    /** Serves the control API of {@code sim} on a free loopback port. */
    public static SimulatorControl start(HostUpSimulator sim) {
        try {
            return new SimulatorControl(sim);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start the simulator's control API", e);
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            int status = 200;
            String out;
            try {
                out = route(ex.getRequestMethod(), ex.getRequestURI().getPath(), query(ex.getRequestURI().getRawQuery()));
                if (out == null) {
                    status = 404;
                    out = "unknown control route " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
                }
            } catch (RuntimeException e) {
                status = 400;
                out = e.toString();
            }
            byte[] b = out.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
            if (b.length > 0) {
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(b);
                }
            }
        }
    }

    private String route(String method, String path, Map<String, String> q) {
        switch (method + " " + path) {
            case "GET /control/downloads": {
                StringBuilder sb = new StringBuilder();
                sim.downloadsStarted().forEach((file, n) -> {
                    int slash = file.indexOf('/');
                    sb.append(file, 0, slash).append(' ').append(file.substring(slash + 1)).append(' ').append(n)
                            .append('\n');
                });
                return sb.toString();
            }
            case "GET /control/downloads-started":
                return Long.toString(sim.downloadsStarted(required(q, "vps"), required(q, "filename")));
            case "GET /control/second-downloads":
                return Long.toString(sim.secondDownloads());
            case "GET /control/faults-injected": {
                StringBuilder sb = new StringBuilder();
                sim.faultsInjected().forEach((f, n) -> sb.append(f).append(' ').append(n).append('\n'));
                return sb.toString();
            }
            case "POST /control/faults":
                sim.faults(new FaultRates(rate(q, "serverError"), rate(q, "html502"), rate(q, "rateLimitStorm"),
                        rate(q, "stall"), rate(q, "reset"), rate(q, "oversized"), rate(q, "lostAfterQueue"),
                        Duration.ofMillis(Long.parseLong(q.getOrDefault("stallMs", "5000"))),
                        Integer.parseInt(q.getOrDefault("stormLength", "5"))));
                return "ok";
            case "POST /control/ratelimit":
                sim.rateLimit(Integer.parseInt(q.getOrDefault("calls", "0")),
                        Duration.ofMillis(Long.parseLong(q.getOrDefault("windowMs", "0"))), RetryAfterStyle.SECONDS,
                        RateWindowModel.parse(q.getOrDefault("model", "fixed")));
                return "ok";
            case "POST /control/ip-restricted":
                sim.ipRestricted(Boolean.parseBoolean(required(q, "on")));
                return "ok";
            default:
                return null;
        }
    }

    private static double rate(Map<String, String> q, String name) {
        return Double.parseDouble(q.getOrDefault(name, "0"));
    }

    private static String required(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing parameter " + name);
        }
        return v;
    }

    /** The parameters of a URL query string, decoded. */
    public static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            if (i > 0) {
                m.put(URLDecoder.decode(kv.substring(0, i), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
