package dev.hostupiso.worker.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The minimal non-blocking HostUp client of the benchmarks, in its own JVM so that its CPU is its
 * own: {@code concurrency} chains, each running one job after another exactly as the worker does for
 * a job that completes at once (from-url 202 → poll → ISO list), on the worker's own HTTP stack
 * (Vert.x core's HTTP client, a pool of {@code concurrency} keep-alive connections) but nothing else:
 * no JSON parsing beyond the job id, no backoff, no metrics, no Kafka. It measures (a) the
 * simulator's capacity when unpaced and (b) what an HTTP call costs on this machine, at the worker's
 * call rate when paced.
 *
 * <p>Arguments: {@code <api> <token> <vps prefix> <warm-up jobs> <jobs> <concurrency> <calls/s, 0 = unpaced>}.
 * Prints {@code RESULT calls=… errors=… seconds=… cpuMicrosPerCall=… totalCalls=…}; warm-up jobs
 * (the first ones) are excluded from the figures but counted in {@code totalCalls}.
 */
public final class MinimalClient {

    /** HTTP calls of one job that completes at once: from-url, one poll, the ISO list. */
    static final int CALLS_PER_JOB = 3;

    private static final Pattern JOB_ID = Pattern.compile("\"jobId\":\"([^\"]+)\"");
    private static final String BODY = "{\"url\":\"https://releases.example.org/images/bench-image.iso\",\"filename\":\"bench-image.iso\"}";

    private final HttpClient http;
    private final URI api;
    private final String auth;
    private final String prefix;
    private final int jobs;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>(); // paced calls not yet released
    private final boolean paced;

    private MinimalClient(Vertx vertx, URI api, String token, String prefix, int jobs, int concurrency, int perSecond) {
        this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(api.getHost()).setDefaultPort(api.getPort())
                .setKeepAlive(true), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(concurrency));
        this.api = api;
        this.auth = "Bearer " + token;
        this.prefix = prefix;
        this.jobs = jobs;
        if (perSecond > 0) {
            double perTick = perSecond / 100.0;
            double[] credit = {0};
            vertx.setPeriodic(10, id -> {
                credit[0] = Math.min(credit[0] + perTick, perTick + 1); // no burst after an idle spell
                while (credit[0] >= 1 && !waiting.isEmpty()) {
                    waiting.poll().run();
                    credit[0]--;
                }
            });
        }
        this.paced = perSecond > 0;
    }

    public static void main(String[] args) throws Exception {
        URI api = URI.create(args[0]);
        String token = args[1];
        String prefix = args[2];
        int warmup = Integer.parseInt(args[3]);
        int jobs = Integer.parseInt(args[4]);
        int concurrency = Integer.parseInt(args[5]);
        int perSecond = Integer.parseInt(args[6]);
        Vertx vertx = Vertx.vertx();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long warmCalls = 0;
        if (warmup > 0) {
            MinimalClient warm = new MinimalClient(vertx, api, token, prefix, warmup, concurrency, 0);
            warm.run(concurrency);
            warmCalls = warm.calls.get();
        }
        MinimalClient client = new MinimalClient(vertx, api, token, prefix, warmup + jobs, concurrency, perSecond);
        client.next.set(warmup);
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        client.run(concurrency);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long cpu = os.getProcessCpuTime() - cpu0;
        long n = client.calls.get();
        System.out.printf(java.util.Locale.ROOT, "RESULT calls=%d errors=%d seconds=%.3f cpuMicrosPerCall=%.1f totalCalls=%d END%n",
                n, client.errors.get(), seconds, cpu / 1e3 / n, n + warmCalls);
        System.out.flush();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private void run(int concurrency) throws Exception {
        CompletableFuture<?>[] chains = new CompletableFuture<?>[concurrency];
        for (int c = 0; c < concurrency; c++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            chains[c] = done;
            chain(done);
        }
        CompletableFuture.allOf(chains).get();
    }

    private void chain(CompletableFuture<Void> done) {
        int i = next.getAndIncrement();
        if (i >= jobs) {
            done.complete(null);
            return;
        }
        String vps = dev.hostupiso.worker.simulator.SimulatorControl.vpsId(prefix, i);
        call(HttpMethod.POST, "/api/v2/vps/" + vps + "/iso/actions/from-url", BODY)
                .compose(body -> {
                    Matcher m = JOB_ID.matcher(body.toString());
                    return call(HttpMethod.GET, "/api/jobs/" + (m.find() ? m.group(1) : "missing"), null);
                })
                .compose(body -> call(HttpMethod.GET, "/api/v2/vps/" + vps + "/iso", null))
                .onComplete(r -> chain(done));
    }

    private Future<Buffer> call(HttpMethod method, String path, String body) {
        if (!paced) {
            return send(method, path, body);
        }
        io.vertx.core.Promise<Buffer> released = io.vertx.core.Promise.promise();
        waiting.add(() -> send(method, path, body).onComplete(released));
        return released.future();
    }

    private Future<Buffer> send(HttpMethod method, String path, String body) {
        RequestOptions options = new RequestOptions().setMethod(method).setURI(api.getPath() + path)
                .putHeader("Authorization", auth);
        return http.request(options).compose(req -> {
            if (body != null) {
                req.putHeader("Content-Type", "application/json");
                return req.send(body);
            }
            return req.send();
        }).compose(resp -> {
            calls.incrementAndGet();
            if (resp.statusCode() >= 300) {
                errors.incrementAndGet();
            }
            return resp.body();
        });
    }
}
