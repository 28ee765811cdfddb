package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A faithful, in-process simulator of the HostUp VPS ISO API (see {@code hostup-api.md}): real HTTP/1.1 on a
 * loopback port, Bearer auth with scopes, RFC 7807 {@code application/problem+json} errors, per-key fixed-window
 * rate limiting with {@code X-RateLimit-*} headers and 429s, jobs that progress with the (injectable) clock,
 * both job envelopes, and scripted faults per VPS and endpoint.
 *
 * <p>Served routes: {@code POST /api/v2/vps/{id}/iso/actions/from-url}, {@code GET /api/jobs/{jobId}},
 * {@code GET /api/v2/vps/{id}/iso}, {@code POST /api/v2/vps/{id}/iso/actions/mount} and
 * {@code POST /api/v2/vps/{id}/iso/actions/unmount}, and {@code GET /api/v2/vps} (the registered VPSs the key may
 * use, paginated: {@link VpsListing}; no scripted answers or random faults). Anything else answers 404 {@code route_not_found};
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
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ID_CHARS = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

    static {
        // The JDK server writes the response head and body in two TCP writes; without TCP_NODELAY, Nagle's
        // algorithm and the client's delayed ACK add ~40 ms to every call (25 calls/s per connection). The
        // property is read once, when the JDK's server classes initialize, so it must be set before the first
        // HttpServer of the JVM is created (set -Dsun.net.httpserver.nodelay=true if another one comes first).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final Clock clock;
    private final AccessGate gate;
    private final VpsDirectory vpss;
    private final JobStore jobs = new JobStore();
    private final CallLog log;
    private final FaultPlan faults;
    private final HttpFront front;

    private HostUpSimulator(SimulatorOptions options) throws IOException {
        this.clock = options.clock();
        this.gate = new AccessGate(options.tokens());
        this.vpss = new VpsDirectory(options.stockIsos());
        this.log = new CallLog(options.maxRecordedCalls());
        this.faults = new FaultPlan(options.seed(), options.faults());
        this.front = new HttpFront(options.port(), options.threads(), clock, log, gate,
                new Router(gate, vpss, jobs, faults));
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
        return front.port();
    }

    /** The clock the simulator runs on. */
    public Clock clock() {
        return clock;
    }

    /** Stops the server immediately; in-flight (e.g. delayed) calls are abandoned. Idempotent. */
    @Override
    public void close() {
        front.close();
    }

    // ------------------------------------------------------------------ API keys

    /** Adds (or replaces) an API key. Scopes: {@link #READ_VM}, {@link #WRITE_VM}, {@link #WRITE_STORAGE}. */
    public void addToken(String token, Set<String> scopes) {
        gate.addToken(token, scopes);
    }

    /** Removes an API key (later calls with it answer 401). */
    public void removeToken(String token) {
        gate.removeToken(token);
    }

    /**
     * Calls presented with {@code token} (accepted or not) for {@code vpsId}'s from-url, ISO list and mount routes:
     * which key a client used for a VPS, without the call log holding keys.
     */
    public long callsWithToken(String token, String vpsId) {
        return gate.callsWith(token, vpsId);
    }

    /** {@code true}: every call answers 401 {@code unauthorized} (key revoked/expired); {@code false}: normal. */
    public void rejectAllTokens(boolean reject) {
        gate.rejectAll(reject);
    }

    static void checkToken(String token) {
        AccessGate.checkToken(token);
    }

    // ------------------------------------------------------------------ VPSs

    /** Registers the VPS (idempotent) and returns its mutable script. */
    public VpsScript vps(String vpsId) {
        return vpss.register(vpsId);
    }

    /**
     * Lets a caller's VPS id choose its behaviour: the first call naming a VPS that is not registered asks
     * {@code scenarios} for a setup; a non-null one registers the VPS and applies the setup to its script before
     * the call is handled, null leaves the answer 404 {@code vps_not_found}. {@code null} (the default) turns it
     * off. Kept by {@link #reset()}.
     */
    public void scenarios(Function<String, Consumer<VpsScript>> scenarios) {
        vpss.scenarios(scenarios);
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
     * Per-key rate limit of {@code callsPerWindow} per {@code window}, counted by {@code model} (what each model's
     * headers mean: {@link RateWindowModel}). The reset header is written as {@link #rateLimitResetPrecision} says; a 429's
     * {@code Retry-After} says when the refused call could have gone through.
     */
    public void rateLimit(int callsPerWindow, Duration window, RetryAfterStyle style, RateWindowModel model) {
        if (callsPerWindow <= 0 || window == null || window.isZero() || window.isNegative()) {
            gate.rateLimit(null);
        } else {
            gate.rateLimit(new RateLimiter.Config(callsPerWindow, Math.max(1, window.toMillis()),
                    style == null ? RetryAfterStyle.SECONDS : style, model == null ? RateWindowModel.FIXED : model));
        }
    }

    /** How {@code X-RateLimit-Reset} is written: rounded up to whole seconds (the default) or to the millisecond. */
    public void rateLimitResetPrecision(ResetPrecision precision) {
        gate.resetPrecision(precision);
    }

    /** Disables rate limiting. */
    public void disableRateLimit() {
        gate.rateLimit(null);
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
        gate.ipRestricted(restricted);
    }

    /**
     * Rate-limit header abuse: every answer carries {@code X-RateLimit-Remaining: 0} and an
     * {@code X-RateLimit-Reset} {@code ahead} in the future (e.g. a year), although calls keep being served.
     * {@code null} turns it off.
     */
    public void abusiveRateLimitHeaders(Duration ahead) {
        gate.abusiveRateLimitHeaders(ahead);
    }

    // ------------------------------------------------------------------ downloads

    /** Download jobs started for {@code filename} on {@code vpsId}: from-url calls that created a job. */
    public long downloadsStarted(String vpsId, String filename) {
        return jobs.downloads().started(new DownloadRegistry.FileKey(vpsId, filename));
    }

    /** Sum over files of max(0, downloads started - 1): downloads a worker should not have started. */
    public long secondDownloads() {
        return jobs.downloads().secondDownloads();
    }

    /** Files downloaded more than once: {@code "vpsId/filename"} to the number of downloads started. */
    public Map<String, Long> filesDownloadedTwice() {
        Map<String, Long> out = new TreeMap<>();
        downloadsStarted().forEach((file, n) -> {
            if (n > 1) {
                out.put(file, n);
            }
        });
        return out;
    }

    /** Every file with downloads: {@code "vpsId/filename"} to the number started. */
    public Map<String, Long> downloadsStarted() {
        Map<String, Long> out = new TreeMap<>();
        jobs.downloads().snapshot().forEach((k, n) -> out.put(k.vpsId() + "/" + k.filename(), n));
        return out;
    }

    /** From-url calls per file, whatever their answer: {@code "vpsId/filename"} to the number of calls. */
    public Map<String, Long> fromUrlCalls() {
        Map<String, Long> out = new TreeMap<>();
        jobs.downloads().askedSnapshot().forEach((k, n) -> out.put(k.vpsId() + "/" + k.filename(), n));
        return out;
    }

    // ------------------------------------------------------------------ what happened

    /** Every recorded call in arrival order (the most recent {@code maxRecordedCalls} if capped). */
    public List<RecordedCall> calls() {
        return log.calls();
    }

    /** Recorded calls concerning {@code vpsId} on {@code endpoint}, in arrival order. */
    public List<RecordedCall> calls(String vpsId, Endpoint endpoint) {
        return log.calls(vpsId, endpoint);
    }

    /** How many calls concerning {@code vpsId} hit {@code endpoint} (any status; exact even if the log is capped). */
    public long count(String vpsId, Endpoint endpoint) {
        return log.count(vpsId, endpoint);
    }

    /** How many calls hit {@code endpoint}, for any VPS. */
    public long count(Endpoint endpoint) {
        return log.count(endpoint);
    }

    /**
     * Start and end times of every job created since start (or the last {@link #reset()}), in creation order.
     * A job is completed (or failed) from its {@link JobTimes#finishAt()} on: that is the moment a poll first
     * sees it finished.
     */
    public List<JobTimes> jobTimes() {
        return jobs.jobTimes(clock.instant());
    }

    /** Total calls received (any route). */
    public long totalCalls() {
        return log.total();
    }

    /**
     * Forgets VPSs, jobs, calls, counts, downloads, scripts and the rate limit; clears {@link #rejectAllTokens},
     * {@link #ipRestricted} and {@link #abusiveRateLimitHeaders}. Keeps keys and the random fault rates.
     */
    public void reset() {
        vpss.clear();
        jobs.clear();
        log.clear();
        faults.clearCounts();
        gate.reset();
    }

    // ------------------------------------------------------------------ helpers

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
}
