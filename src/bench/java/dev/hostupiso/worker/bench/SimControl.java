package dev.hostupiso.worker.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Client of the simulator's control API ({@link dev.hostupiso.worker.simulator.SimulatorControl}). */
final class SimControl {

    /** {@code client}: the call's {@code User-Agent}, which names the worker instance that made it. */
    record Call(long atMicros, String endpoint, String vpsId, String jobId, int status, String client) {
    }

    record Job(String jobId, String vpsId, long createdMicros, long finishMicros, boolean failed) {
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    SimControl(String base) {
        this.base = base;
    }

    private String send(String method, String pathAndQuery) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                    .timeout(Duration.ofMinutes(2))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("control " + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (Exception e) {
            throw new IllegalStateException("control call " + pathAndQuery + " failed", e);
        }
    }

    void reset() {
        send("POST", "/control/reset");
    }

    void vps(String prefix, int count, long minMs, long maxMs) {
        send("POST", "/control/vps?prefix=" + prefix + "&count=" + count + "&minMs=" + minMs + "&maxMs=" + maxMs);
    }

    /** Like {@link #vps}, each VPS with the download shape {@code shapes[i % n]}; the same seed gives the same durations. */
    void vpsShaped(String prefix, int count, long minMs, long maxMs, String shapes, long seed) {
        send("POST", "/control/vps?prefix=" + prefix + "&count=" + count + "&minMs=" + minMs + "&maxMs=" + maxMs + "&shapes="
                + shapes + "&seed=" + seed);
    }

    /** One VPS per job: VPS {@code i} downloads for {@code durationsMs[i]} in shape {@code shapes[i]} (labels). */
    void vpsListed(String prefix, List<Long> durationsMs, List<String> shapes) {
        send("POST", "/control/vps?prefix=" + prefix + "&durationsMs="
                + durationsMs.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","))
                + "&shapes=" + String.join(",", shapes));
    }

    void rateLimit(int calls, long windowMs) {
        rateLimit(calls, windowMs, "fixed");
    }

    /** {@code model}: fixed, sliding or token-bucket. */
    void rateLimit(int calls, long windowMs, String model) {
        send("POST", "/control/ratelimit?calls=" + calls + "&windowMs=" + windowMs + "&model=" + model);
    }

    long total() {
        return Long.parseLong(send("GET", "/control/total").trim());
    }

    List<Call> calls() {
        List<Call> out = new ArrayList<>();
        for (String line : send("GET", "/control/calls").split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            out.add(new Call(Long.parseLong(f[0]), f[1], f[2], f[3], Integer.parseInt(f[4]),
                    f.length > 5 ? java.net.URLDecoder.decode(f[5], java.nio.charset.StandardCharsets.UTF_8) : ""));
        }
        return out;
    }

    List<Job> jobs() {
        List<Job> out = new ArrayList<>();
        for (String line : send("GET", "/control/jobs").split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            out.add(new Job(f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Boolean.parseBoolean(f[4])));
        }
        return out;
    }
}
