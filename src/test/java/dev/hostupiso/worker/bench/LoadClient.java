package dev.hostupiso.worker.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The minimal non-blocking HostUp client that measures the simulator's capacity: {@code concurrency} chains, each
 * running one job after another exactly as the worker does for a job that completes at once (from-url 202 → poll →
 * ISO list), with the JDK's asynchronous HttpClient. No parsing beyond the job id, no backoff, no metrics.
 */
final class LoadClient {

    static final int CALLS_PER_JOB = 3;
    private static final Pattern JOB_ID = Pattern.compile("\"jobId\":\"([^\"]+)\"");

    record Result(long calls, long errors, double seconds, double callsPerSecond, double clientCpuMicrosPerCall,
                  double serverCpuMicrosPerCall) {
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String api;
    private final String token;

    LoadClient(String api, String token) {
        this.api = api;
        this.token = token;
    }

    /** Runs jobs on VPSs {@code prefix000000 … prefix(jobs-1)} (registered beforehand). */
    Result run(String prefix, int jobs, int concurrency, long serverPid) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong calls = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long srv0 = Child.cpuNanos(serverPid);
        long t0 = System.nanoTime();
        CompletableFuture<?>[] chains = new CompletableFuture<?>[concurrency];
        for (int c = 0; c < concurrency; c++) {
            chains[c] = chain(prefix, jobs, next, calls, errors);
        }
        CompletableFuture.allOf(chains).get();
        double secs = (System.nanoTime() - t0) / 1e9;
        long cpu = os.getProcessCpuTime() - cpu0;
        long srv = Child.cpuNanos(serverPid) - srv0;
        long n = calls.get();
        return new Result(n, errors.get(), secs, n / secs, cpu / 1e3 / n, srv / 1e3 / n);
    }

    private CompletableFuture<Void> chain(String prefix, int jobs, AtomicInteger next, AtomicLong calls, AtomicLong errors) {
        int i = next.getAndIncrement();
        if (i >= jobs) {
            return CompletableFuture.completedFuture(null);
        }
        String vps = BenchSimulator.vpsId(prefix, i);
        String body = "{\"url\":\"https://releases.example.org/images/bench-image.iso\",\"filename\":\"bench-image.iso\"}";
        return send(HttpRequest.newBuilder(URI.create(api + "/api/v2/vps/" + vps + "/iso/actions/from-url"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)), calls, errors)
                .thenCompose(r -> {
                    Matcher m = JOB_ID.matcher(r.body());
                    String job = m.find() ? m.group(1) : "missing";
                    return send(HttpRequest.newBuilder(URI.create(api + "/api/jobs/" + job)).GET(), calls, errors);
                })
                .thenCompose(r -> send(HttpRequest.newBuilder(URI.create(api + "/api/v2/vps/" + vps + "/iso")).GET(),
                        calls, errors))
                .thenCompose(r -> chain(prefix, jobs, next, calls, errors));
    }

    private CompletableFuture<HttpResponse<String>> send(HttpRequest.Builder b, AtomicLong calls, AtomicLong errors) {
        return http.sendAsync(b.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                    calls.incrementAndGet();
                    if (r.statusCode() >= 300) {
                        errors.incrementAndGet();
                    }
                    return r;
                });
    }
}
