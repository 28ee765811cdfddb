package dev.hostupiso.worker.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

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
 * <li>{@code POST /control/reset} — {@link HostUpSimulator#reset()};</li>
 * <li>{@code POST /control/vps?prefix=P&count=N&minMs=a&maxMs=b&shapes=s1,s2&seed=S} — registers VPSs
 * {@code P000000…} ({@link #vpsId(String, int)}), each with a job duration drawn uniformly from [a, b] ms and,
 * when {@code shapes} is given, the {@link DownloadShape} {@code shapes[i % n]} (labels, e.g.
 * {@code linear,slow-start,stalls,jump,verifying-tail,fail-at-80}); {@code seed} makes the durations repeatable;
 * with {@code durationsMs=d0,d1,…} instead of {@code count}, VPS {@code i} gets exactly duration {@code d_i};</li>
 * <li>{@code POST /control/ratelimit?calls=N&windowMs=W&model=M&resetPrecision=P} — per-key limit counted by {@code M},
 * {@code X-RateLimit-Reset} in whole {@code seconds} (default) or {@code milliseconds};
 * ({@link RateWindowModel}: {@code fixed}, {@code sliding}, {@code token-bucket}; default fixed; {@code calls=0}: off);</li>
 * <li>{@code GET /control/total} — calls received;</li>
 * <li>{@code GET /control/calls} — recorded calls, one per line: {@code atMicros endpoint vpsId jobId status client}
 * (client: the {@code User-Agent}, URL-encoded);</li>
 * <li>{@code GET /control/jobs} — one per line: {@code jobId vpsId createdMicros finishMicros failed alreadyExisted}.</li>
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
        String out = faultRoute(method + " " + path, q);
        return out != null ? out : runRoute(method + " " + path, q);
    }

    /** Faults and download counts. */
    private String faultRoute(String route, Map<String, String> q) {
        switch (route) {
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
            case "POST /control/ip-restricted":
                sim.ipRestricted(Boolean.parseBoolean(required(q, "on")));
                return "ok";
            default:
                return null;
        }
    }

    /** The whole run: reset, VPSs, rate limit, and what happened. */
    private String runRoute(String route, Map<String, String> q) {
        switch (route) {
            case "POST /control/reset":
                sim.reset();
                return "ok";
            case "POST /control/vps":
                if (q.containsKey("durationsMs")) {
                    return registerListed(q.get("prefix"), required(q, "durationsMs"), q.get("shapes"));
                }
                return registerVpss(q.get("prefix"), Integer.parseInt(required(q, "count")),
                        Long.parseLong(q.getOrDefault("minMs", "0")), q.get("maxMs"), q.get("shapes"), q.get("seed"));
            case "POST /control/ratelimit":
                sim.rateLimit(Integer.parseInt(q.getOrDefault("calls", "0")),
                        Duration.ofMillis(Long.parseLong(q.getOrDefault("windowMs", "0"))), RetryAfterStyle.SECONDS,
                        RateWindowModel.parse(q.getOrDefault("model", "fixed")));
                sim.rateLimitResetPrecision(ResetPrecision.parse(q.getOrDefault("resetPrecision", "seconds")));
                return "ok";
            case "GET /control/total":
                return Long.toString(sim.totalCalls());
            case "GET /control/calls":
                return callLines();
            case "GET /control/jobs":
                return jobLines();
            default:
                return null;
        }
    }

    private String registerVpss(String prefix, int count, long minMs, String maxMs, String shapes, String seed) {
        long max = maxMs == null ? minMs : Long.parseLong(maxMs);
        java.util.random.RandomGenerator random = seed == null ? ThreadLocalRandom.current() : new java.util.Random(Long.parseLong(seed));
        java.util.List<DownloadShape> mix = shapes == null || shapes.isBlank() ? java.util.List.of()
                : java.util.Arrays.stream(shapes.split(",")).map(DownloadShape::of).toList();
        for (int i = 0; i < count; i++) {
            long ms = max > minMs ? random.nextLong(minMs, max + 1) : minMs;
            VpsScript vps = sim.vps(vpsId(prefix, i)).jobDuration(Duration.ofMillis(ms));
            if (!mix.isEmpty()) {
                vps.downloadShape(mix.get(i % mix.size()));
            }
        }
        return "ok " + count;
    }

    /** One VPS per listed duration, VPS {@code i} with {@code durations[i]} and the shape {@code shapes[i % n]}. */
    private String registerListed(String prefix, String durations, String shapes) {
        String[] ms = durations.split(",");
        java.util.List<DownloadShape> mix = shapes == null || shapes.isBlank() ? java.util.List.of()
                : java.util.Arrays.stream(shapes.split(",")).map(DownloadShape::of).toList();
        for (int i = 0; i < ms.length; i++) {
            VpsScript vps = sim.vps(vpsId(prefix, i)).jobDuration(Duration.ofMillis(Long.parseLong(ms[i].trim())));
            if (!mix.isEmpty()) {
                vps.downloadShape(mix.get(i % mix.size()));
            }
        }
        return "ok " + ms.length;
    }

    private String callLines() {
        StringBuilder sb = new StringBuilder();
        for (RecordedCall c : sim.calls()) {
            sb.append(micros(c.at())).append(' ').append(c.endpoint()).append(' ').append(c.vpsId())
                    .append(' ').append(c.jobId()).append(' ').append(c.status()).append(' ')
                    .append(URLEncoder.encode(c.client(), StandardCharsets.UTF_8)).append('\n');
        }
        return sb.toString();
    }

    private String jobLines() {
        StringBuilder sb = new StringBuilder();
        for (JobTimes j : sim.jobTimes()) {
            sb.append(j.jobId()).append(' ').append(j.vpsId()).append(' ').append(micros(j.createdAt()))
                    .append(' ').append(micros(j.finishAt())).append(' ').append(j.failed()).append(' ')
                    .append(j.alreadyExisted()).append('\n');
        }
        return sb.toString();
    }

    /** The id of the i-th VPS of a prefix registered by {@code POST /control/vps}. */
    public static String vpsId(String prefix, int i) {
        return String.format("%s%06d", prefix, i);
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
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
