package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A faithful, in-process simulator of the HostUp VPS ISO API (see {@code hostup-api.md}): real HTTP/1.1 on a
 * loopback port, Bearer auth with scopes, RFC 7807 {@code application/problem+json} errors, per-key fixed-window
 * rate limiting with {@code X-RateLimit-*} headers and 429s, jobs that progress with the (injectable) clock,
 * both job envelopes, and scripted faults per VPS and endpoint.
 *
 * <p>Served routes: {@code POST /api/v2/vps/{id}/iso/actions/from-url}, {@code GET /api/jobs/{jobId}},
 * {@code GET /api/v2/vps/{id}/iso}, {@code POST /api/v2/vps/{id}/iso/actions/mount} and
 * {@code POST /api/v2/vps/{id}/iso/actions/unmount}. Anything else answers 404 {@code route_not_found};
 * a known route with another method 405 {@code method_not_allowed}.
 *
 * <p>Order of checks for every call: rate limit (429) → authentication (401) → IP restriction (403) →
 * route (404/405) → scope (403) → VPS/job lookup (404 {@code vps_not_found}/{@code job_not_found}) → scripted
 * response, else a random fault ({@link FaultRates}) → VPS forbidden (403) → normal handling.
 *
 * <p>Like Proxmox, a second from-url for a file whose first download still runs starts a second job; whichever
 * finishes after the file is in place fails with {@value VpsScript#OVERRIDE_REFUSED}. Every job started is counted
 * per file ({@link #downloadsStarted(String, String)}, {@link #secondDownloads()}).
 *
 * <p>The API key is never written to a response, a {@link RecordedCall}, an exception message or a log.
 * Thread-safe. Job completion is evaluated lazily on each call (no background threads).
 */
public final class HostUpSimulator implements AutoCloseable {

    /** Scope needed to read the ISO library. */
    public static final String READ_VM = "read:vm";
    /** Scope needed (with {@link #WRITE_STORAGE}) to queue a download, and to mount. */
    public static final String WRITE_VM = "write:vm";
    /** Scope needed (with {@link #WRITE_VM}) to queue a download. */
    public static final String WRITE_STORAGE = "write:storage";
    /** All scopes. */
    public static final Set<String> ALL_SCOPES = Set.of(READ_VM, WRITE_VM, WRITE_STORAGE);

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBLEM_JSON = Problems.PROBLEM_JSON;
    private static final String APP_JSON = "application/json";
    private static final DateTimeFormatter BODY_TS = Problems.BODY_TS;
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ID_CHARS = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final Set<String> DECOMPRESS = Set.of("none", "gzip", "lzo", "zstd", "bzip2");
    private static final Pattern DEVICE = Pattern.compile("ide[0-3]");
    private static final int MAX_FILENAME = 255;
    private static final int MAX_URL = 2048;

    static {
        // The JDK server writes the response head and body in two TCP writes; without TCP_NODELAY, Nagle's
        // algorithm and the client's delayed ACK add ~40 ms to every call (25 calls/s per connection). The
        // property is read once, when the JDK's server classes initialize, so it must be set before the first
        // HttpServer of the JVM is created (set -Dsun.net.httpserver.nodelay=true if another one comes first).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final Clock clock;
    private final boolean stockIsos;
    private final int maxRecordedCalls;
    private final Map<String, Set<String>> tokens = new ConcurrentHashMap<>();
    private volatile boolean rejectAll;
    private final Map<String, VpsScript> vpss = new ConcurrentHashMap<>();
    private final Map<String, VpsScript.Job> jobs = new ConcurrentHashMap<>();
    private final RateLimiter rateLimiter = new RateLimiter();
    private final ConcurrentLinkedDeque<Seq> calls = new ConcurrentLinkedDeque<>();
    private final AtomicInteger recordedSize = new AtomicInteger();
    private final Map<CountKey, LongAdder> counts = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private final FaultPlan faults;
    private final DownloadRegistry downloads = new DownloadRegistry();
    /** Answers sent later (late answers, stalls) without holding a request thread. */
    private final ScheduledExecutorService later;
    private volatile boolean ipRestricted;
    private volatile Duration abusiveReset;
    private volatile Function<String, Consumer<VpsScript>> scenarios;
    private volatile boolean closed;

    private record Seq(long seq, RecordedCall call) {
    }

    private record CountKey(String vpsId, Endpoint endpoint) {
    }

    private HostUpSimulator(SimulatorOptions options) throws IOException {
        this.clock = options.clock();
        this.stockIsos = options.stockIsos();
        this.maxRecordedCalls = options.maxRecordedCalls();
        this.tokens.putAll(options.tokens());
        this.faults = new FaultPlan(options.seed(), options.faults());
        this.later = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hostup-sim-later");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(options.threads(), options.threads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "hostup-sim-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.executor.allowCoreThreadTimeOut(true);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()), 1024);
        this.server.createContext("/", this::handle);
        this.server.setExecutor(executor);
        this.server.start();
    }

    /** Starts on 127.0.0.1, a random port, with one API key holding all scopes. */
    public static HostUpSimulator start(String token) {
        return start(SimulatorOptions.builder().token(token).build());
    }

    /** Starts with the given options. */
    public static HostUpSimulator start(SimulatorOptions options) {
        try {
            return new HostUpSimulator(Objects.requireNonNull(options, "options"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start HostUp simulator on port " + options.port(), e);
        }
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The clock the simulator runs on. */
    public Clock clock() {
        return clock;
    }

    /** Stops the server immediately; in-flight (e.g. delayed) calls are abandoned. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        executor.shutdownNow();
        later.shutdownNow();
    }

    // ------------------------------------------------------------------ API keys

    /** Adds (or replaces) an API key. Scopes: {@link #READ_VM}, {@link #WRITE_VM}, {@link #WRITE_STORAGE}. */
    public void addToken(String token, Set<String> scopes) {
        checkToken(token);
        tokens.put(token, Set.copyOf(Objects.requireNonNull(scopes, "scopes")));
    }

    /** Removes an API key (later calls with it answer 401). */
    public void removeToken(String token) {
        if (token != null) {
            tokens.remove(token);
        }
    }

    /** {@code true}: every call answers 401 {@code unauthorized} (key revoked/expired); {@code false}: normal. */
    public void rejectAllTokens(boolean reject) {
        this.rejectAll = reject;
    }

    static void checkToken(String token) {
        if (token == null || token.isBlank() || token.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("API key must be non-blank and contain no whitespace");
        }
    }

    // ------------------------------------------------------------------ VPSs

    /** Registers the VPS (idempotent) and returns its mutable script. */
    public VpsScript vps(String vpsId) {
        Objects.requireNonNull(vpsId, "vpsId");
        return vpss.computeIfAbsent(vpsId, id -> new VpsScript(id, stockIsos));
    }

    /**
     * Lets a caller's VPS id choose its behaviour: the first call naming a VPS that is not registered asks
     * {@code scenarios} for a setup; a non-null one registers the VPS and applies the setup to its script before
     * the call is handled, null leaves the answer 404 {@code vps_not_found}. {@code null} (the default) turns it
     * off. Kept by {@link #reset()}.
     */
    public void scenarios(Function<String, Consumer<VpsScript>> scenarios) {
        this.scenarios = scenarios;
    }

    /** The registered VPS, or one registered now by {@link #scenarios}; null if neither. */
    private VpsScript lookupVps(String vpsId) {
        VpsScript known = vpss.get(vpsId);
        Function<String, Consumer<VpsScript>> s = scenarios;
        if (known != null || s == null) {
            return known;
        }
        Consumer<VpsScript> setup = s.apply(vpsId);
        if (setup == null) {
            return null;
        }
        return vpss.computeIfAbsent(vpsId, id -> {
            VpsScript script = new VpsScript(id, stockIsos);
            setup.accept(script);
            return script;
        });
    }

    // ------------------------------------------------------------------ rate limit

    /**
     * Per-key fixed-window rate limit: a key's window opens at its first call and lasts {@code window}; every
     * call counts (rejected ones too); beyond {@code callsPerWindow} calls the answer is 429 {@code rate_limited}
     * with a {@code Retry-After} in {@code style} (null: SECONDS). While enabled every response carries
     * {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining} and {@code X-RateLimit-Reset} (ISO-8601 UTC,
     * whole seconds, rounded up). {@code callsPerWindow <= 0} or a null/non-positive window disables it
     * (and then no X-RateLimit-* headers are sent).
     */
    public void rateLimit(int callsPerWindow, Duration window, RetryAfterStyle style) {
        rateLimit(callsPerWindow, window, style, RateWindowModel.FIXED);
    }

    /**
     * Per-key rate limit of {@code callsPerWindow} per {@code window}, counted by {@code model} (see
     * {@link RateWindowModel} for what each model's headers mean). The reset header is rounded up to a whole second;
     * a 429's {@code Retry-After} says when the refused call could have gone through.
     */
    public void rateLimit(int callsPerWindow, Duration window, RetryAfterStyle style, RateWindowModel model) {
        if (callsPerWindow <= 0 || window == null || window.isZero() || window.isNegative()) {
            rateLimiter.configure(null);
        } else {
            rateLimiter.configure(new RateLimiter.Config(callsPerWindow, Math.max(1, window.toMillis()),
                    style == null ? RetryAfterStyle.SECONDS : style, model == null ? RateWindowModel.FIXED : model));
        }
    }

    /** Disables rate limiting. */
    public void disableRateLimit() {
        rateLimiter.configure(null);
    }

    // ------------------------------------------------------------------ faults

    /**
     * Random faults from now on (replacing the options' {@link SimulatorOptions#faults()}); {@link FaultRates#NONE}
     * turns them off. Drawn from the options' seeded random source.
     */
    public void faults(FaultRates rates) {
        faults.rates(rates);
    }

    /** The random fault rates in force. */
    public FaultRates faults() {
        return faults.rates();
    }

    /** How many faults of each kind were injected at random (scripted answers not included). */
    public Map<Fault, Long> faultsInjected() {
        return faults.injected();
    }

    /**
     * {@code true}: every authenticated call answers 403 {@code forbidden}, as for a key used from an IP address
     * its restriction does not allow; {@code false}: normal.
     */
    public void ipRestricted(boolean restricted) {
        this.ipRestricted = restricted;
    }

    /**
     * Rate-limit header abuse: every answer carries {@code X-RateLimit-Remaining: 0} and an
     * {@code X-RateLimit-Reset} {@code ahead} in the future (e.g. a year), although calls keep being served.
     * {@code null} turns it off.
     */
    public void abusiveRateLimitHeaders(Duration ahead) {
        this.abusiveReset = ahead;
    }

    // ------------------------------------------------------------------ downloads

    /** Download jobs started for {@code filename} on {@code vpsId}: from-url calls that created a job. */
    public long downloadsStarted(String vpsId, String filename) {
        return downloads.started(new DownloadRegistry.FileKey(vpsId, filename));
    }

    /** Sum over files of max(0, downloads started - 1): downloads a worker should not have started. */
    public long secondDownloads() {
        return downloads.secondDownloads();
    }

    /** Files downloaded more than once: {@code "vpsId/filename"} to the number of downloads started. */
    public Map<String, Long> filesDownloadedTwice() {
        Map<String, Long> out = new java.util.TreeMap<>();
        downloads.snapshot().forEach((k, n) -> {
            if (n > 1) {
                out.put(k.vpsId() + "/" + k.filename(), n);
            }
        });
        return out;
    }

    /** Every file with downloads: {@code "vpsId/filename"} to the number started. */
    public Map<String, Long> downloadsStarted() {
        Map<String, Long> out = new java.util.TreeMap<>();
        downloads.snapshot().forEach((k, n) -> out.put(k.vpsId() + "/" + k.filename(), n));
        return out;
    }

    // ------------------------------------------------------------------ what happened

    /** Every recorded call in arrival order (the most recent {@code maxRecordedCalls} if capped). */
    public List<RecordedCall> calls() {
        List<Seq> snapshot = new ArrayList<>(calls);
        snapshot.sort(Comparator.comparingLong(Seq::seq));
        List<RecordedCall> out = new ArrayList<>(snapshot.size());
        for (Seq s : snapshot) {
            out.add(s.call());
        }
        return out;
    }

    /** Recorded calls concerning {@code vpsId} on {@code endpoint}, in arrival order. */
    public List<RecordedCall> calls(String vpsId, Endpoint endpoint) {
        List<RecordedCall> out = new ArrayList<>();
        for (RecordedCall c : calls()) {
            if (Objects.equals(vpsId, c.vpsId()) && c.endpoint() == endpoint) {
                out.add(c);
            }
        }
        return out;
    }

    /** How many calls concerning {@code vpsId} hit {@code endpoint} (any status; exact even if the log is capped). */
    public long count(String vpsId, Endpoint endpoint) {
        LongAdder a = counts.get(new CountKey(vpsId, endpoint));
        return a == null ? 0 : a.sum();
    }

    /** How many calls hit {@code endpoint}, for any VPS. */
    public long count(Endpoint endpoint) {
        long sum = 0;
        for (Map.Entry<CountKey, LongAdder> e : counts.entrySet()) {
            if (e.getKey().endpoint() == endpoint) {
                sum += e.getValue().sum();
            }
        }
        return sum;
    }

    /**
     * Start and end times of every job created since start (or the last {@link #reset()}), in creation order.
     * A job is completed (or failed) from its {@link JobTimes#finishAt()} on: that is the moment a poll first
     * sees it finished.
     */
    public List<JobTimes> jobTimes() {
        Instant now = clock.instant();
        List<JobTimes> out = new ArrayList<>();
        for (VpsScript.Job j : jobs.values()) {
            synchronized (j.vps) {
                j.vps.settle(now);
                out.add(new JobTimes(j.id, j.vps.vpsId(), j.filename, j.createdAt, j.finishAt,
                        !now.isBefore(j.finishAt), j.done ? j.failed : j.failMessage != null, j.alreadyExisted));
            }
        }
        out.sort(Comparator.comparing(JobTimes::createdAt).thenComparing(JobTimes::jobId));
        return out;
    }

    /** Total calls received (any route). */
    public long totalCalls() {
        return seq.get();
    }

    /**
     * Forgets VPSs, jobs, calls, counts, downloads, scripts and the rate limit; clears {@link #rejectAllTokens},
     * {@link #ipRestricted} and {@link #abusiveRateLimitHeaders}. Keeps keys and the random fault rates.
     */
    public void reset() {
        vpss.clear();
        jobs.clear();
        calls.clear();
        recordedSize.set(0);
        counts.clear();
        downloads.clear();
        faults.clearCounts();
        rateLimiter.configure(null);
        rejectAll = false;
        ipRestricted = false;
        abusiveReset = null;
    }

    // ================================================================== HTTP handling

    /** Per-call context. */
    private final class Call {
        final long seq;
        final Instant at;
        final String requestId = newId("req_");
        final String method;
        final String path;
        final byte[] body;
        final Headers requestHeaders;
        Endpoint endpoint;
        String vpsId;
        String jobId;
        boolean authenticated;
        RateLimiter.Decision rate;
        final List<Map.Entry<String, String>> extraHeaders = new ArrayList<>();

        Call(long seq, Instant at, String method, String path, byte[] body, Headers requestHeaders) {
            this.seq = seq;
            this.at = at;
            this.method = method;
            this.path = path;
            this.body = body;
            this.requestHeaders = requestHeaders;
        }

        Instant now() {
            return clock.instant();
        }
    }

    /** An answer; {@code dropped}: none, the connection closes; {@code holdFor}: sent (or dropped) that much later. */
    private record Resp(int status, String contentType, byte[] body, Duration holdFor, boolean dropped) {
        Resp(int status, String contentType, byte[] body) {
            this(status, contentType, body, null, false);
        }

        static Resp none() {
            return new Resp(0, null, null, null, true);
        }

        Resp heldFor(Duration d) {
            return new Resp(status, contentType, body, d, dropped);
        }
    }

    private void handle(HttpExchange ex) {
        boolean answerLater = false;
        try {
            long s = seq.incrementAndGet();
            Instant at = clock.instant();
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = ex.getRequestURI().getRawPath();
            Call c = new Call(s, at, ex.getRequestMethod().toUpperCase(Locale.ROOT), path == null ? "/" : path, body,
                    ex.getRequestHeaders());
            Resp r;
            try {
                r = process(c);
            } catch (RuntimeException e) {
                r = problem(c, 500, "internal_error", "The simulator failed: " + e.getClass().getSimpleName(), null,
                        null);
            }
            if (r.holdFor() != null && !closed) {
                Resp held = r;
                later.schedule(() -> answer(ex, c, held), r.holdFor().toNanos(), TimeUnit.NANOSECONDS);
                answerLater = true;
            } else {
                answer(ex, c, r);
            }
        } catch (IOException | RuntimeException ignored) {
            // client went away or server closing
        } finally {
            if (!answerLater) {
                ex.close();
            }
        }
    }

    private void answer(HttpExchange ex, Call c, Resp r) {
        try (ex) {
            record(c, r.dropped() ? 0 : r.status());
            if (r.dropped()) {
                return; // closing an exchange before its head is sent closes the connection: no answer at all
            }
            Headers h = ex.getResponseHeaders();
            h.set("X-Request-Id", c.requestId);
            Duration abuse = abusiveReset;
            if (abuse != null) {
                h.set("X-RateLimit-Limit", "60");
                h.set("X-RateLimit-Remaining", "0");
                h.set("X-RateLimit-Reset", DateTimeFormatter.ISO_INSTANT.format(
                        c.now().plus(abuse).truncatedTo(ChronoUnit.SECONDS)));
            } else if (c.rate != null) {
                h.set("X-RateLimit-Limit", Integer.toString(c.rate.limit()));
                h.set("X-RateLimit-Remaining", Integer.toString(c.rate.remaining()));
                h.set("X-RateLimit-Reset", DateTimeFormatter.ISO_INSTANT.format(c.rate.resetHeaderInstant()));
            }
            if (r.contentType() != null) {
                h.set("Content-Type", r.contentType());
            }
            for (Map.Entry<String, String> e : c.extraHeaders) {
                h.add(e.getKey(), e.getValue());
            }
            byte[] b = r.body() == null ? new byte[0] : r.body();
            ex.sendResponseHeaders(r.status(), b.length == 0 ? -1 : b.length);
            if (b.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(b);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // client went away (e.g. timed out on a delayed answer) or server closing
        }
    }

    private void record(Call c, int status) {
        String bodyText = new String(c.body, StandardCharsets.UTF_8);
        RecordedCall rc = new RecordedCall(c.at, c.method, c.path, c.endpoint, c.vpsId, c.jobId, status,
                c.authenticated, bodyText);
        counts.computeIfAbsent(new CountKey(c.vpsId, c.endpoint), k -> new LongAdder()).increment();
        if (maxRecordedCalls <= 0) {
            return;
        }
        calls.addLast(new Seq(c.seq, rc));
        if (recordedSize.incrementAndGet() > maxRecordedCalls) {
            if (calls.pollFirst() != null) {
                recordedSize.decrementAndGet();
            }
        }
    }

    /** A matched route. */
    private record Route(Endpoint endpoint, String method, String vpsId, String jobId) {
    }

    private static Route route(String path) {
        String[] s = path.split("/", -1);
        if (s.length < 4 || !s[0].isEmpty() || !"api".equals(s[1])) {
            return null;
        }
        if (s.length == 4 && "jobs".equals(s[2]) && !s[3].isEmpty()) {
            return new Route(Endpoint.JOB, "GET", null, s[3]);
        }
        if (s.length >= 6 && "v2".equals(s[2]) && "vps".equals(s[3]) && !s[4].isEmpty() && "iso".equals(s[5])) {
            String vps = s[4];
            if (s.length == 6) {
                return new Route(Endpoint.ISO_LIST, "GET", vps, null);
            }
            if (s.length == 8 && "actions".equals(s[6])) {
                switch (s[7]) {
                    case "from-url":
                        return new Route(Endpoint.FROM_URL, "POST", vps, null);
                    case "mount":
                        return new Route(Endpoint.MOUNT, "POST", vps, null);
                    case "unmount":
                        return new Route(Endpoint.UNMOUNT, "POST", vps, null);
                    default:
                        return null;
                }
            }
        }
        return null;
    }

    private Resp process(Call c) {
        String token = bearer(c.requestHeaders.getFirst("Authorization"));
        Route route = route(c.path);
        if (route != null) {
            c.vpsId = route.vpsId();
            c.jobId = route.jobId();
            if (route.method().equals(c.method)) {
                c.endpoint = route.endpoint();
            }
        }
        Set<String> scopes = token == null ? null : tokens.get(token);
        c.authenticated = scopes != null && !rejectAll;
        // 1. rate limit: every call counts, per presented key
        c.rate = rateLimiter.hit(token == null ? "\u0000anonymous" : token, c.at);
        if (c.rate != null && c.rate.exceeded()) {
            if (route != null && route.endpoint() == Endpoint.JOB) {
                attributeJob(c);
            }
            String retryAfter = c.rate.style() == RetryAfterStyle.HTTP_DATE
                    ? httpDate(c.rate.retryAt(c.at))
                    : Long.toString(c.rate.retryAfterSeconds());
            c.extraHeaders.add(Map.entry("Retry-After", retryAfter));
            return problem(c, 429, "rate_limited",
                    "Rate limit exceeded: " + c.rate.limit() + " requests per window. Retry after " + retryAfter
                            + ".", null, null);
        }
        // 2. authentication
        if (!c.authenticated) {
            if (route != null && route.endpoint() == Endpoint.JOB) {
                attributeJob(c);
            }
            String detail = token == null ? "Missing or malformed Authorization header; expected 'Bearer <api key>'."
                    : rejectAll ? "The API key has been revoked or has expired." : "The API key is not valid.";
            c.extraHeaders.add(Map.entry("WWW-Authenticate", "Bearer realm=\"hostup\""));
            return problem(c, 401, "unauthorized", detail, null, null);
        }
        if (ipRestricted) {
            if (route != null && route.endpoint() == Endpoint.JOB) {
                attributeJob(c);
            }
            return problem(c, 403, "forbidden", "The API key may not be used from this IP address.", null, null);
        }
        // 3. route and method
        if (route == null) {
            return problem(c, 404, "route_not_found", "No route matches " + c.method + " " + c.path + ".", null, null);
        }
        if (c.endpoint == null) {
            c.extraHeaders.add(Map.entry("Allow", route.method()));
            return problem(c, 405, "method_not_allowed",
                    "Method " + c.method + " is not allowed here; use " + route.method() + ".", null, null);
        }
        // 4. scopes
        List<String> missing = new ArrayList<>();
        for (String need : requiredScopes(c.endpoint)) {
            if (!scopes.contains(need)) {
                missing.add(need);
            }
        }
        if (!missing.isEmpty()) {
            return problem(c, 403, "forbidden", "The API key lacks the required scope(s): "
                    + String.join(", ", missing) + ".", null, null);
        }
        // 5. lookup
        VpsScript vps;
        VpsScript.Job job = null;
        if (c.endpoint == Endpoint.JOB) {
            job = attributeJob(c);
            if (job == null) {
                return problem(c, 404, "job_not_found", "Job " + c.jobId + " was not found.", null, null);
            }
            vps = job.vps;
        } else {
            vps = lookupVps(c.vpsId);
            if (vps == null) {
                return problem(c, 404, "vps_not_found", "VPS " + c.vpsId + " was not found.", null, null);
            }
        }
        // 6. scripted, then random faults
        ScriptedResponse scripted = vps.nextScripted(c.endpoint);
        if (scripted == null) {
            Fault fault = faults.draw(c.endpoint);
            scripted = fault == null ? null : faults.response(fault);
        }
        if (scripted != null) {
            c.extraHeaders.addAll(scripted.headers);
            switch (scripted.kind) {
                case DELAYED:
                    sleep(scripted.delay);
                    break;
                case LATE:
                    return normal(c, vps, job).heldFor(scripted.delay);
                case AFTER_HANDLING:
                    normal(c, vps, job);
                    return renderScripted(c, scripted.then);
                default:
                    return renderScripted(c, scripted);
            }
        }
        return normal(c, vps, job);
    }

    /** Steps 7 (VPS-level permission) and 8 (normal handling). */
    private Resp normal(Call c, VpsScript vps, VpsScript.Job job) {
        if (vps.isForbidden()) {
            return problem(c, 403, "forbidden", "The API key may not access this VPS.", null, null);
        }
        switch (c.endpoint) {
            case FROM_URL:
                return fromUrl(c, vps);
            case JOB:
                return poll(c, vps, job);
            case ISO_LIST:
                return list(c, vps);
            case MOUNT:
                return mount(c, vps);
            case UNMOUNT:
                return unmount(c, vps);
            default:
                throw new IllegalStateException("unhandled endpoint " + c.endpoint);
        }
    }

    /** Looks the polled job up and fills in its VPS id; null if unknown (or its VPS was reset). */
    private VpsScript.Job attributeJob(Call c) {
        VpsScript.Job job = c.jobId == null ? null : jobs.get(c.jobId);
        if (job == null || vpss.get(job.vps.vpsId()) != job.vps) {
            return null;
        }
        c.vpsId = job.vps.vpsId();
        return job;
    }

    private static List<String> requiredScopes(Endpoint e) {
        switch (e) {
            case FROM_URL:
                return List.of(WRITE_VM, WRITE_STORAGE);
            case ISO_LIST:
                return List.of(READ_VM);
            case MOUNT:
            case UNMOUNT:
                return List.of(WRITE_VM);
            default:
                return List.of();
        }
    }

    private static String bearer(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.length() < 8 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String t = h.substring(7).trim();
        if (t.isEmpty() || t.chars().anyMatch(Character::isWhitespace)) {
            return null;
        }
        return t;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Resp renderScripted(Call c, ScriptedResponse r) {
        switch (r.kind) {
            case PROBLEM:
                return problem(c, r.status, r.code, r.detail, null, null);
            case INVALID:
                return invalid(c, List.of(error(r.rawBody, r.detail, r.code)));
            case RATE_LIMITED:
                if (r.retryAfter != null) {
                    c.extraHeaders.add(Map.entry("Retry-After", r.retryAfter));
                }
                return problem(c, 429, "rate_limited", "Too many requests.", null, null);
            case LEGACY_RATE_LIMITED: {
                ObjectNode o = JSON.createObjectNode();
                o.put("error", "rate_limit_exceeded");
                o.put("message", "Too many requests, please try again in " + r.legacyRetryAfterSeconds
                        + " seconds.");
                o.put("retryAfter", r.legacyRetryAfterSeconds);
                o.put("requestId", c.requestId);
                return json(429, APP_JSON, o);
            }
            case HTML:
                return new Resp(r.status, r.contentType, Problems.html(r.status));
            case RESET:
                return Resp.none();
            case STALL:
                return Resp.none().heldFor(r.delay);
            case OVERSIZED:
                return new Resp(r.status, Problems.PROBLEM_JSON,
                        Problems.oversized(c.path, c.requestId, c.now(), r.status, r.code));
            case RAW:
                return new Resp(r.status, r.contentType, r.rawBody.getBytes(StandardCharsets.UTF_8));
            default:
                throw new IllegalStateException("unexpected scripted kind " + r.kind);
        }
    }

    // ------------------------------------------------------------------ from-url

    private Resp fromUrl(Call c, VpsScript vps) {
        JsonNode root = parseObject(c.body);
        if (root == null) {
            return invalid(c, List.of(error("", "The request body must be a JSON object.", "invalid_format")));
        }
        List<ObjectNode> errors = new ArrayList<>();
        JsonNode url = root.get("url");
        if (url == null || url.isNull() || (url.isTextual() && url.asText().isBlank())) {
            errors.add(error("/url", "url is required.", "missing_required"));
        } else if (!url.isTextual()) {
            errors.add(error("/url", "url must be a string.", "invalid_format"));
        } else if (url.asText().length() > MAX_URL) {
            errors.add(error("/url", "url must be at most " + MAX_URL + " characters.", "too_long"));
        } else {
            String u = url.asText().trim();
            URI uri = null;
            try {
                uri = new URI(u);
            } catch (URISyntaxException e) {
                errors.add(error("/url", "url is not a valid URL.", "invalid_format"));
            }
            if (uri != null) {
                String scheme = uri.getScheme();
                if (scheme == null || uri.isOpaque()) {
                    errors.add(error("/url", "url is not a valid absolute URL.", "invalid_format"));
                } else if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
                    errors.add(error("/url", "url must use http or https.", "invalid_value"));
                } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
                    errors.add(error("/url", "url must have a host.", "invalid_format"));
                }
            }
        }
        JsonNode fn = root.get("filename");
        String filename = null;
        if (fn == null || fn.isNull() || (fn.isTextual() && fn.asText().isBlank())) {
            errors.add(error("/filename", "filename is required.", "missing_required"));
        } else if (!fn.isTextual()) {
            errors.add(error("/filename", "filename must be a string.", "invalid_format"));
        } else {
            String f = fn.asText();
            String lower = f.toLowerCase(Locale.ROOT);
            if (f.contains("/") || f.contains("\\") || f.contains("..")) {
                errors.add(error("/filename", "filename must not contain '/', '\\' or '..'.", "invalid_format"));
            } else if (f.length() > MAX_FILENAME) {
                errors.add(error("/filename", "filename must be at most " + MAX_FILENAME + " characters.",
                        "too_long"));
            } else if (!lower.endsWith(".iso") && !lower.endsWith(".img")) {
                errors.add(error("/filename", "filename must end in .iso or .img.", "invalid_value"));
            } else {
                filename = f;
            }
        }
        JsonNode dc = root.get("decompress");
        if (dc != null && !dc.isNull() && (!dc.isTextual() || !DECOMPRESS.contains(dc.asText()))) {
            errors.add(error("/decompress", "decompress must be one of none, gzip, lzo, zstd, bzip2.",
                    "invalid_value"));
        }
        if (!errors.isEmpty()) {
            return invalid(c, errors);
        }
        if (!vps.canUploadAllowed()) {
            String reason = vps.canUploadReason();
            ObjectNode ext = JSON.createObjectNode();
            ObjectNode cu = ext.putObject("canUpload");
            cu.put("allowed", false);
            cu.put("reason", reason);
            cu.put("code", vps.canUploadCode());
            return problem(c, 409, "upload_not_allowed",
                    reason != null ? reason : "Uploads are not allowed for this VPS right now.", null, ext);
        }
        ObjectNode body = JSON.createObjectNode();
        ObjectNode op = body.putObject("operation");
        String jobId = newId("job_");
        int status;
        synchronized (vps) {
            Instant now = c.now();
            vps.settle(now);
            VpsScript.Iso existing = vps.findByName(filename);
            VpsScript.Job job;
            if (existing != null) {
                job = vps.completedJob(jobId, c.seq, existing, now);
                op.put("status", "completed");
                op.put("jobId", jobId);
                op.putNull("pollUrl");
                status = 200;
            } else {
                job = vps.newJob(jobId, c.seq, filename, now);
                downloads.started(vps.vpsId(), filename);
                op.put("status", "queued");
                op.put("jobId", jobId);
                op.put("pollUrl", "/api/jobs/" + jobId);
                op.putNull("result");
                status = 202;
            }
            jobs.put(jobId, job);
        }
        return json(status, APP_JSON, body);
    }

    // ------------------------------------------------------------------ job poll

    private enum Phase { QUEUED, IN_PROGRESS, COMPLETED, FAILED }

    private Resp poll(Call c, VpsScript vps, VpsScript.Job job) {
        JobEnvelope envelope = vps.envelope();
        synchronized (vps) {
            if (job.unknownPollsLeft > 0) {
                job.unknownPollsLeft--;
                return problem(c, 404, "job_not_found", "Job " + job.id + " was not found.", null, null);
            }
            Instant now = c.now();
            vps.settle(now);
            Phase phase;
            int progress;
            if (job.done) {
                phase = job.failed ? Phase.FAILED : Phase.COMPLETED;
                progress = job.failed ? 0 : 100;
            } else {
                long total = Math.max(1, Duration.between(job.createdAt, job.finishAt).toNanos());
                long elapsed = Math.max(0, Duration.between(job.createdAt, now).toNanos());
                if (elapsed * 10 < total) {
                    phase = Phase.QUEUED;
                    progress = 0;
                } else {
                    phase = Phase.IN_PROGRESS;
                    progress = (int) Math.max(1, Math.min(99, (long) ((double) elapsed * 100 / total)));
                }
            }
            ObjectNode result = JSON.createObjectNode();
            if (phase == Phase.COMPLETED) {
                result.put("filename", job.filename);
                result.put("volume", "local:iso/" + job.filename);
            } else if (phase == Phase.FAILED) {
                result.put("error", "download_failed");
                result.put("message", job.failure());
            }
            return envelope == JobEnvelope.V2_OPERATION
                    ? json(200, APP_JSON, v2Job(job, phase, progress, result, now))
                    : json(200, APP_JSON, v1Job(c, job, phase, progress, result, now));
        }
    }

    private static String status(Phase p) {
        switch (p) {
            case QUEUED:
                return "queued";
            case IN_PROGRESS:
                return "in_progress";
            case COMPLETED:
                return "completed";
            default:
                return "failed";
        }
    }

    private static ObjectNode v1Job(Call c, VpsScript.Job job, Phase phase, int progress, ObjectNode result,
                                    Instant now) {
        ObjectNode root = JSON.createObjectNode();
        root.put("success", true);
        root.put("timestamp", BODY_TS.format(now));
        root.put("requestId", c.requestId);
        ObjectNode d = root.putObject("data");
        d.put("jobId", job.id);
        String state;
        String message;
        switch (phase) {
            case QUEUED:
                state = "waiting";
                message = "Waiting in queue";
                break;
            case IN_PROGRESS:
                state = "active";
                message = "Downloading " + job.filename;
                break;
            case COMPLETED:
                state = "completed";
                message = "Download finished";
                break;
            default:
                state = "failed";
                message = "Download failed: " + job.failure();
        }
        d.put("state", state);
        d.put("status", status(phase));
        d.put("progress", progress);
        ObjectNode pd = d.putObject("progressDetails");
        pd.put("percentage", progress);
        pd.put("message", message);
        pd.put("current", job.sizeBytes * progress / 100);
        pd.put("total", job.sizeBytes);
        d.put("progressMessage", message);
        d.set("result", result);
        d.put("isCompleted", phase == Phase.COMPLETED);
        d.put("isFailed", phase == Phase.FAILED);
        d.put("isRunning", phase == Phase.IN_PROGRESS);
        d.put("isWaiting", phase == Phase.QUEUED);
        d.put("createdAt", BODY_TS.format(job.createdAt));
        if (job.done) {
            d.put("finishedAt", BODY_TS.format(job.finishAt));
        } else {
            d.putNull("finishedAt");
        }
        // unknown extras, to keep clients honest
        d.put("attemptsMade", 1);
        d.put("queueName", "iso-downloads");
        root.putObject("meta").put("apiVersion", "1.4.2");
        return root;
    }

    private static ObjectNode v2Job(VpsScript.Job job, Phase phase, int progress, ObjectNode result, Instant now) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode op = root.putObject("operation");
        op.put("status", status(phase));
        op.put("jobId", job.id);
        if (job.alreadyExisted) {
            op.putNull("pollUrl");
        } else {
            op.put("pollUrl", "/api/jobs/" + job.id);
        }
        if (phase == Phase.COMPLETED || phase == Phase.FAILED) {
            op.set("result", result);
        } else {
            op.putNull("result");
        }
        // unknown extras
        op.put("type", "vps.iso.download_from_url");
        op.put("progress", progress);
        op.put("updatedAt", BODY_TS.format(now));
        root.putObject("links").put("self", "/api/jobs/" + job.id);
        return root;
    }

    // ------------------------------------------------------------------ list, mount, unmount

    private Resp list(Call c, VpsScript vps) {
        ObjectNode root = JSON.createObjectNode();
        synchronized (vps) {
            vps.settle(c.now());
            ArrayNode available = root.putArray("available");
            for (VpsScript.Iso i : vps.readList()) {
                ObjectNode o = available.addObject();
                o.put("id", i.id);
                o.put("name", i.name);
                o.put("displayName", i.displayName);
                o.put("sizeGb", i.sizeGb);
                o.put("format", i.format);
                o.put("storage", "local"); // unknown extra
            }
            ArrayNode mounted = root.putArray("mounted");
            Map<String, String> m = vps.mountedLocked();
            for (Map.Entry<String, String> e : m.entrySet()) {
                ObjectNode o = mounted.addObject();
                o.put("device", e.getKey());
                o.put("isoId", e.getValue());
                o.put("mounted", true);
                o.put("isCloudInit", false);
            }
            root.putNull("bootOrder");
            ArrayNode devices = root.putArray("availableDevices");
            ObjectNode d2 = devices.addObject();
            d2.put("device", "ide2");
            d2.put("type", "existing_cdrom");
            d2.put("description", "CD/DVD 3");
            d2.put("inUse", m.containsKey("ide2"));
            ObjectNode d3 = devices.addObject();
            d3.put("device", "ide3");
            d3.put("type", "new_cdrom");
            d3.put("description", "New CD/DVD drive (IDE 3)");
            d3.put("inUse", m.containsKey("ide3"));
            ObjectNode actions = root.putObject("actions");
            ObjectNode cm = actions.putObject("canMount");
            cm.put("allowed", true);
            cm.putNull("reason");
            ObjectNode cu = actions.putObject("canUpload");
            cu.put("allowed", vps.canUploadAllowed());
            cu.put("reason", vps.canUploadReason());
            cu.put("code", vps.canUploadCode());
        }
        return json(200, APP_JSON, root);
    }

    private Resp mount(Call c, VpsScript vps) {
        JsonNode root = parseObject(c.body);
        if (root == null) {
            return invalid(c, List.of(error("", "The request body must be a JSON object.", "invalid_format")));
        }
        List<ObjectNode> errors = new ArrayList<>();
        JsonNode iso = root.get("isoId");
        if (iso == null || iso.isNull() || (iso.isTextual() && iso.asText().isBlank())) {
            errors.add(error("/isoId", "isoId is required.", "missing_required"));
        } else if (!iso.isTextual()) {
            errors.add(error("/isoId", "isoId must be a string.", "invalid_format"));
        }
        String device = deviceOf(root, errors);
        if (!errors.isEmpty()) {
            return invalid(c, errors);
        }
        String dev = device == null ? "ide2" : device;
        synchronized (vps) {
            vps.settle(c.now());
            if (vps.findById(iso.asText()) == null) {
                return problem(c, 404, "iso_not_found", "ISO " + iso.asText() + " was not found.", null, null);
            }
            vps.mountedLocked().put(dev, iso.asText());
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("device", dev);
        out.put("isoId", iso.asText());
        out.put("mounted", true);
        return json(200, APP_JSON, out);
    }

    private Resp unmount(Call c, VpsScript vps) {
        JsonNode root = JSON.createObjectNode();
        if (c.body.length > 0 && !new String(c.body, StandardCharsets.UTF_8).isBlank()) {
            root = parseObject(c.body);
            if (root == null) {
                return invalid(c, List.of(error("", "The request body must be a JSON object.", "invalid_format")));
            }
        }
        List<ObjectNode> errors = new ArrayList<>();
        String device = deviceOf(root, errors);
        if (!errors.isEmpty()) {
            return invalid(c, errors);
        }
        String dev;
        synchronized (vps) {
            Map<String, String> m = vps.mountedLocked();
            dev = device != null ? device : m.isEmpty() ? "ide2" : m.keySet().iterator().next();
            m.remove(dev);
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("device", dev);
        return json(200, APP_JSON, out);
    }

    private static String deviceOf(JsonNode root, List<ObjectNode> errors) {
        JsonNode dev = root.get("device");
        if (dev == null || dev.isNull()) {
            return null;
        }
        if (!dev.isTextual() || !DEVICE.matcher(dev.asText()).matches()) {
            errors.add(error("/device", "device must be one of ide0, ide1, ide2, ide3.", "invalid_value"));
            return null;
        }
        return dev.asText();
    }

    // ------------------------------------------------------------------ helpers

    private static JsonNode parseObject(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static ObjectNode error(String pointer, String detail, String code) {
        ObjectNode e = JSON.createObjectNode();
        e.put("pointer", pointer);
        e.put("detail", detail);
        e.put("code", code);
        return e;
    }

    private Resp invalid(Call c, List<ObjectNode> errors) {
        return problem(c, 400, "invalid_request", null, errors, null);
    }

    private Resp problem(Call c, int status, String code, String detail, List<ObjectNode> errors,
                         ObjectNode extensions) {
        return new Resp(status, PROBLEM_JSON, Problems.problem(c.path, c.requestId, c.now(), status, code, detail,
                status == 400 ? errors : null, extensions));
    }

    private static Resp json(int status, String contentType, JsonNode node) {
        try {
            return new Resp(status, contentType, JSON.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
    }

    /** An RFC 1123 HTTP-date (IMF-fixdate), e.g. {@code Fri, 27 Nov 2026 10:00:00 GMT}. */
    public static String httpDate(Instant instant) {
        return HTTP_DATE.format(instant);
    }

    /** {@code prefix} followed by 26 random lower-case base32 characters. */
    static String newId(String prefix) {
        char[] c = new char[26];
        byte[] b = new byte[26];
        RANDOM.nextBytes(b);
        for (int i = 0; i < c.length; i++) {
            c[i] = ID_CHARS[(b[i] & 0xff) % ID_CHARS.length];
        }
        return prefix + new String(c);
    }

    @Override
    public String toString() {
        return "HostUpSimulator[" + baseUrl() + ", vps=" + vpss.size() + ", jobs=" + jobs.size() + "]";
    }

    // ------------------------------------------------------------------ rate limiter

    /** Per-key windows of the configured {@link RateWindowModel}; all callers of one key share one window. */
    static final class RateLimiter {
        record Config(int limit, long windowMillis, RetryAfterStyle style, RateWindowModel model) {
        }

        record Decision(int limit, boolean exceeded, int remaining, long resetMillis, long retryAfterMillis,
                        RetryAfterStyle style) {
            /** The reset rounded up to a whole second (never earlier than the real one). */
            Instant resetHeaderInstant() {
                return Instant.ofEpochMilli(resetMillis).plusMillis(999).truncatedTo(ChronoUnit.SECONDS);
            }

            long retryAfterSeconds() {
                return Math.max(1, (retryAfterMillis + 999) / 1000);
            }

            /** When a refused call may be made again, as an instant rounded up to a whole second. */
            Instant retryAt(Instant now) {
                return now.plusMillis(retryAfterMillis).plusMillis(999).truncatedTo(ChronoUnit.SECONDS);
            }
        }

        private volatile Config config;
        private final Map<String, RateWindow> windows = new ConcurrentHashMap<>();

        synchronized void configure(Config c) {
            windows.clear();
            config = c;
        }

        RateWindowModel model() {
            Config c = config;
            return c == null ? null : c.model();
        }

        Decision hit(String key, Instant now) {
            Config cfg = config;
            if (cfg == null) {
                return null;
            }
            RateWindow w = windows.computeIfAbsent(key, k -> RateWindow.of(cfg.model(), cfg.limit(), cfg.windowMillis()));
            synchronized (w) {
                RateWindow.Decision d = w.hit(now.toEpochMilli());
                return new Decision(d.limit(), d.exceeded(), d.remaining(), d.resetMillis(), d.retryAfterMillis(),
                        cfg.style());
            }
        }
    }
}
