package dev.hostupiso.worker.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hostupiso.worker.simulator.SimulatorControl;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.simulator.JobTimes;
import dev.hostupiso.worker.simulator.RateWindowModel;
import dev.hostupiso.worker.simulator.RecordedCall;
import dev.hostupiso.worker.simulator.RetryAfterStyle;
import dev.hostupiso.worker.simulator.SimulatorOptions;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The HostUp simulator as its own process, for the benchmarks: {@code BenchSimulator <token>} serves the API on a
 * loopback port and a small control API on another, then prints {@code api=<url> control=<url>}.
 *
 * <p>Control routes (all on loopback; answers are text):
 * <ul>
 * <li>{@code POST /control/reset} — forget VPSs, jobs, calls and the rate limit;</li>
 * <li>{@code POST /control/vps?prefix=P&count=N&minMs=a&maxMs=b} — register VPSs {@code P000000…}, each with a
 * job duration drawn uniformly from [a, b] ms;</li>
 * <li>{@code POST /control/ratelimit?calls=N&windowMs=W&model=M} — per-key limit counted by {@code M} ({@code fixed},
 * {@code sliding}, {@code token-bucket}; default fixed; {@code calls=0}: off);</li>
 * <li>{@code GET /control/total} — calls received;</li>
 * <li>{@code GET /control/calls} — recorded calls, one per line: {@code atMicros endpoint vpsId jobId status};</li>
 * <li>{@code GET /control/jobs} — {@code jobId vpsId createdMicros finishMicros failed alreadyExisted}.</li>
 * </ul>
 * Start it with {@code -Dsun.net.httpserver.nodelay=true}.
 */
public final class BenchSimulator {

    private BenchSimulator() {
    }

    public static void main(String[] args) throws Exception {
        String token = args[0];
        int maxRecorded = Integer.parseInt(System.getProperty("bench.sim.maxRecordedCalls", "400000"));
        HostUpSimulator sim = HostUpSimulator.start(SimulatorOptions.builder().token(token)
                .maxRecordedCalls(maxRecorded).build());
        HttpServer control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        control.setExecutor(Executors.newSingleThreadExecutor());
        control.createContext("/control/", ex -> {
            try (ex) {
                String out = handle(sim, ex);
                byte[] b = out.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain");
                ex.sendResponseHeaders(200, b.length == 0 ? -1 : b.length);
                if (b.length > 0) {
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(b);
                    }
                }
            } catch (RuntimeException e) {
                byte[] b = e.toString().getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(500, b.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(b);
                }
            }
        });
        control.start();
        System.out.println("api=" + sim.baseUrl() + " control=http://127.0.0.1:" + control.getAddress().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }

    private static String handle(HostUpSimulator sim, HttpExchange ex) throws IOException {
        ex.getRequestBody().readAllBytes();
        String path = ex.getRequestURI().getPath();
        Map<String, String> q = SimulatorControl.query(ex.getRequestURI().getRawQuery());
        switch (path) {
            case "/control/reset":
                sim.reset();
                return "ok";
            case "/control/vps": {
                String prefix = q.get("prefix");
                int count = Integer.parseInt(q.get("count"));
                long min = Long.parseLong(q.getOrDefault("minMs", "0"));
                long max = Long.parseLong(q.getOrDefault("maxMs", Long.toString(min)));
                for (int i = 0; i < count; i++) {
                    long ms = max > min ? ThreadLocalRandom.current().nextLong(min, max + 1) : min;
                    sim.vps(vpsId(prefix, i)).jobDuration(Duration.ofMillis(ms));
                }
                return "ok " + count;
            }
            case "/control/ratelimit": {
                int calls = Integer.parseInt(q.getOrDefault("calls", "0"));
                long window = Long.parseLong(q.getOrDefault("windowMs", "0"));
                sim.rateLimit(calls, Duration.ofMillis(window), RetryAfterStyle.SECONDS,
                        RateWindowModel.parse(q.getOrDefault("model", "fixed")));
                return "ok";
            }
            case "/control/total":
                return Long.toString(sim.totalCalls());
            case "/control/calls": {
                StringBuilder sb = new StringBuilder();
                for (RecordedCall c : sim.calls()) {
                    sb.append(micros(c.at())).append(' ').append(c.endpoint()).append(' ').append(c.vpsId())
                            .append(' ').append(c.jobId()).append(' ').append(c.status()).append('\n');
                }
                return sb.toString();
            }
            case "/control/jobs": {
                StringBuilder sb = new StringBuilder();
                for (JobTimes j : sim.jobTimes()) {
                    sb.append(j.jobId()).append(' ').append(j.vpsId()).append(' ').append(micros(j.createdAt()))
                            .append(' ').append(micros(j.finishAt())).append(' ').append(j.failed()).append(' ')
                            .append(j.alreadyExisted()).append('\n');
                }
                return sb.toString();
            }
            default:
                throw new IllegalArgumentException("unknown control route " + path);
        }
    }

    /** The id of the i-th VPS of a prefix, as the bench's requests name it. */
    public static String vpsId(String prefix, int i) {
        return String.format("%s%06d", prefix, i);
    }

    static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}
