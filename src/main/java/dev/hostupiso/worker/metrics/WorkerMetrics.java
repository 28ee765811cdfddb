package dev.hostupiso.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Owns every metric name of the worker. Names follow Prometheus conventions (base units,
 * {@code _total} counters, {@code _seconds}); Micrometer adds the suffixes. The dashboard and
 * alerts under {@code deploy/} depend on these names: change them together.
 */
@ApplicationScoped
public class WorkerMetrics {

    public static final String REQUESTS = "isoworker.requests";
    public static final String API_CALLS = "isoworker.api.calls";
    public static final String API_CALL_DURATION = "isoworker.api.call.duration";
    public static final String JOB_POLLS = "isoworker.job.polls";
    public static final String JOB_DURATION = "isoworker.job.duration";
    public static final String JOB_API_CALLS = "isoworker.job.api.calls";
    public static final String PROGRESS_EVENTS = "isoworker.progress.events";
    /** The {@code endpoint} labels of {@link #JOB_API_CALLS}, one per HostUp call a job can make. */
    public static final List<String> JOB_CALL_ENDPOINTS = List.of("from_url", "job", "iso_list", "mount");
    public static final String JOBS_IN_FLIGHT = "isoworker.jobs.in.flight";
    public static final String JOBS_OLDEST_AGE = "isoworker.jobs.oldest.age";
    public static final String MAX_IN_FLIGHT = "isoworker.max.in.flight";
    public static final String JOB_TIMEOUT = "isoworker.job.timeout";
    public static final String RETRY_AFTER_WAIT = "isoworker.retry.after.wait";
    public static final String RATE_LIMIT_REMAINING = "isoworker.rate.limit.remaining";
    public static final String RATE_LIMIT_LIMIT = "isoworker.rate.limit.limit";
    public static final String RATE_LIMIT_SHARE = "isoworker.rate.limit.share";
    public static final String RATE_LIMIT_PACED_RATE = "isoworker.rate.limit.paced.rate";
    public static final String API_KEY_REJECTED = "isoworker.api.key.rejected";
    public static final String INTAKE_PAUSED = "isoworker.intake.paused";
    public static final String LEDGER_TRANSACTIONS = "isoworker.ledger.transactions";
    public static final String LEDGER_WRITES = "isoworker.ledger.writes";
    public static final String JOBS_RESUMED = "isoworker.jobs.resumed";
    public static final String LEDGER_FAILURES = "isoworker.ledger.failures";
    public static final String LEDGER_STALLED = "isoworker.ledger.stalled";
    public static final String LEDGER_ORPHANED = "isoworker.ledger.orphaned.partitions";
    public static final String REQUESTS_DEFERRED = "isoworker.requests.deferred";

    /**
     * The values the {@code code} label may take: the worker's own codes and HostUp's documented
     * ones, i.e. every code the outcome schema lists (a test holds them together), plus {@code none}
     * and {@code poison}. Anything else a server sends becomes {@code other}, so a misbehaving server
     * cannot create unbounded series.
     */
    static final Set<String> KNOWN_CODES = Set.of("none", "poison", "invalid_request", "unauthorized", "forbidden",
            "vps_not_found", "vps_not_ready", "upstream_failed", "rate_limited", "rate_limit_exceeded", "internal_error",
            "upstream_unavailable", "job_failed", "job_timeout", "job_lost", "iso_not_listed", "invalid_response",
            "connection_error", "timeout", "worker_error", "submit_unconfirmed", "url_redirects", "url_not_found",
            "file_too_large", "mount_failed", "unknown_account", "account_not_allowed");

    private final MeterRegistry registry;
    private final Timer retryAfterWait;
    private final DistributionSummary jobPolls;
    private final AtomicInteger rateLimitRemaining = new AtomicInteger(-1);
    private final AtomicInteger rateLimitLimit = new AtomicInteger(-1);
    private final AtomicLong rateLimitShare = new AtomicLong(Double.doubleToLongBits(Double.NaN));
    private final AtomicLong rateLimitPacedRate = new AtomicLong(Double.doubleToLongBits(Double.NaN));
    private final AtomicInteger apiKeyRejected = new AtomicInteger();
    private final AtomicInteger intakePaused = new AtomicInteger();
    private final Timer ledgerTransactions;
    private final Counter ledgerWrites;
    private final Counter jobsResumed;
    private final AccountMeters accounts;

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.accounts = new AccountMeters(registry);
        this.retryAfterWait = Timer.builder(RETRY_AFTER_WAIT)
                .description("Waits imposed by a Retry-After header (after clamping)").register(registry);
        this.jobPolls = DistributionSummary.builder(JOB_POLLS)
                .description("Polls one job needed until it finished")
                .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000).register(registry);
        Gauge.builder(RATE_LIMIT_REMAINING, () -> nanIfUnknown(rateLimitRemaining.get()))
                .description("Last X-RateLimit-Remaining seen from HostUp").register(registry);
        Gauge.builder(RATE_LIMIT_LIMIT, () -> nanIfUnknown(rateLimitLimit.get()))
                .description("Last X-RateLimit-Limit seen from HostUp").register(registry);
        Gauge.builder(RATE_LIMIT_SHARE, () -> Double.longBitsToDouble(rateLimitShare.get()))
                .description("This instance's share of the API key's budget (partitions owned / partitions)").register(registry);
        Gauge.builder(RATE_LIMIT_PACED_RATE, () -> Double.longBitsToDouble(rateLimitPacedRate.get()))
                .description("Calls per second this instance last paced HostUp calls at").register(registry);
        Gauge.builder(API_KEY_REJECTED, apiKeyRejected::get)
                .description("1 while HostUp rejects the API key (401)").register(registry);
        Gauge.builder(INTAKE_PAUSED, intakePaused::get)
                .description("1 while the worker is not taking new requests").register(registry);
        // Registered up front so that dashboards and alerts see a 0, not an absent series.
        this.ledgerTransactions = Timer.builder(LEDGER_TRANSACTIONS).description("Committed ledger transactions")
                .publishPercentileHistogram().register(registry);
        this.ledgerWrites = Counter.builder(LEDGER_WRITES)
                .description("Ledger writes (state changes and outcomes) committed").register(registry);
        for (String kind : new String[] {"transient", "rejected", "partial_commit", "fenced", "commit_unknown", "fatal"}) {
            Counter.builder(LEDGER_FAILURES).description("Ledger transactions or writes that failed, by kind")
                    .tag("kind", kind).register(registry);
        }
        for (String endpoint : JOB_CALL_ENDPOINTS) {
            jobApiCalls(DEFAULT_ACCOUNT, endpoint); // a 0 from the start, not an absent series
        }
        // A pod's first dead letter or completion must be an increase from 0 that increase() and
        // rate() can see, not a series that appears at 1 (the dead-letter alert would miss it).
        requests("dead_lettered", "poison");
        requests("completed", "none");
        for (String result : new String[] {"sent", "failed"}) {
            progressEvents(result);
        }
        this.jobsResumed = Counter.builder(JOBS_RESUMED)
                .description("Jobs resumed from the ledger instead of re-submitted").register(registry);
    }

    /** Binds the in-flight gauges to the owner of the in-flight set, with the limits that apply to it. */
    public void bindInFlight(Supplier<Number> count, Supplier<Number> oldestAgeSeconds, int maxInFlight, Duration jobTimeout) {
        Gauge.builder(MAX_IN_FLIGHT, () -> maxInFlight).description("Configured cap of jobs in flight").register(registry);
        Gauge.builder(JOB_TIMEOUT, () -> jobTimeout.toMillis() / 1000.0).baseUnit("seconds")
                .description("Configured per-request deadline").register(registry);
        Gauge.builder(JOBS_IN_FLIGHT, count).description("Requests being worked on").register(registry);
        Gauge.builder(JOBS_OLDEST_AGE, oldestAgeSeconds).baseUnit("seconds")
                .description("Age of the oldest request in flight").register(registry);
    }

    /** A request got its answer: {@code outcome} is completed, failed, dead_lettered or duplicate. */
    public void requestFinished(String outcome, String code) {
        requests(outcome, codeLabel(code)).increment();
    }

    private Counter requests(String outcome, String codeLabel) {
        return Counter.builder(REQUESTS).description("Requests by how they ended")
                .tag("outcome", outcome).tag("code", codeLabel).register(registry);
    }

    /**
     * One HTTP call to HostUp; {@code endpoint} is the call's label (from_url, job, iso_list) and
     * {@code status} the HTTP status or io_error / timeout.
     */
    public void apiCall(String endpoint, String status, Duration latency) {
        Counter.builder(API_CALLS).description("Calls to the HostUp API")
                .tag("endpoint", endpoint).tag("status", status).register(registry).increment();
        Timer.builder(API_CALL_DURATION).description("Latency of HostUp API calls")
                .tag("endpoint", endpoint).publishPercentileHistogram().register(registry).record(latency);
    }

    public void jobFinished(String outcome, Duration duration, int polls) {
        Timer.builder(JOB_DURATION).description("Time from a request's arrival to its outcome")
                .tag("outcome", outcome)
                .serviceLevelObjectives(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30),
                        Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30),
                        Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(6))
                .register(registry).record(duration);
        jobPolls.record(polls);
    }

    /**
     * The HostUp calls a finished job cost, one value per endpoint label of {@link #JOB_CALL_ENDPOINTS}
     * (what the key's rate budget paid for that request; calls before a crash or hand-over included),
     * labelled with the account whose key paid ({@link #accountLabel}).
     */
    public void jobApiCalls(String account, int fromUrl, int job, int isoList, int mount) {
        jobApiCalls(account, "from_url").record(fromUrl);
        jobApiCalls(account, "job").record(job);
        jobApiCalls(account, "iso_list").record(isoList);
        jobApiCalls(account, "mount").record(mount);
    }

    private DistributionSummary jobApiCalls(String account, String endpoint) {
        return DistributionSummary.builder(JOB_API_CALLS).description("HostUp API calls per finished job, by account and endpoint")
                .tag("account", account).tag("endpoint", endpoint).serviceLevelObjectives(1, 2, 3, 5, 10, 20, 50, 100, 200, 500)
                .register(registry);
    }

    /** The {@code account} label of the default account (a request naming none). */
    public static final String DEFAULT_ACCOUNT = "default";

    /** A job's {@code account} label: {@code default} for none, {@code other} for one without a key (request text creates no series). */
    public static String accountLabel(String account, boolean knownAccount) {
        if (account == null) {
            return DEFAULT_ACCOUNT;
        }
        return knownAccount ? account : "other";
    }

    /** A progress event was handed to Kafka ({@code sent}) or could not be ({@code failed}); best effort. */
    public void progressEvent(boolean sent) {
        progressEvents(sent ? "sent" : "failed").increment();
    }

    private Counter progressEvents(String result) {
        return Counter.builder(PROGRESS_EVENTS).description("Download progress events, by whether Kafka took them")
                .tag("result", result).register(registry);
    }

    /** One committed ledger transaction carrying {@code writes} writes (group commit). */
    public void ledgerTransaction(int writes, Duration latency) {
        ledgerTransactions.record(latency);
        ledgerWrites.increment(writes);
    }

    /**
     * A ledger transaction or write failed: {@code kind} is transient (retried), rejected (Kafka
     * refused a record; that request got a minimal outcome), fenced (another instance took the
     * partition over) or fatal (the producer was recreated).
     */
    public void ledgerFailure(String kind) {
        Counter.builder(LEDGER_FAILURES).description("Ledger transactions or writes that failed, by kind")
                .tag("kind", kind).register(registry).increment();
    }

    /** 1 while ledger transactions keep failing (the instance is then not ready). */
    public void bindLedgerHealth(Supplier<Number> stalled) {
        Gauge.builder(LEDGER_STALLED, stalled).description("1 while ledger transactions keep failing").register(registry);
    }

    /** Request partitions the consumer holds while their ledger writer has ended (the instance is then not ready). */
    public void bindLedgerOrphaned(Supplier<Number> partitions) {
        Gauge.builder(LEDGER_ORPHANED, partitions)
                .description("Request partitions held while their ledger writer has ended; a rebalance reloads them")
                .register(registry);
    }

    /** A request record left unacknowledged, for redelivery, because its partition was not writable here. */
    public void requestDeferred() {
        Counter.builder(REQUESTS_DEFERRED)
                .description("Request records left unacknowledged for redelivery: their partition was orphaned here")
                .register(registry).increment();
    }

    /** Jobs taken over from the ledger after a partition was assigned to this instance. */
    public void jobsResumed(int count) {
        jobsResumed.increment(count);
    }

    public void retryAfterWait(Duration wait) {
        retryAfterWait.record(wait);
    }

    public void rateLimit(OptionalInt limit, OptionalInt remaining) {
        limit.ifPresent(rateLimitLimit::set);
        remaining.ifPresent(rateLimitRemaining::set);
    }

    /** The share of the key's budget and the paced rate (calls/s) of this instance's last booked call. */
    public void pacing(double share, double callsPerSecond) {
        rateLimitShare.set(Double.doubleToLongBits(share));
        rateLimitPacedRate.set(Double.doubleToLongBits(callsPerSecond));
    }

    public void apiKeyRejected(boolean rejected) {
        apiKeyRejected.set(rejected ? 1 : 0);
    }

    public void intakePaused(boolean paused) {
        intakePaused.set(paused ? 1 : 0);
    }

    /** {@code code} when it is one of {@link #KNOWN_CODES}, else {@code other}. */
    static String codeLabel(String code) {
        if (code == null) {
            return "none";
        }
        return KNOWN_CODES.contains(code) ? code : "other";
    }

    // --- API key holds and team accounts' keys: names here, their meters in AccountMeters ---
    public static final String API_KEY_HOLD = "isoworker.api.key.hold";
    public static final String ACCOUNT_KEY_KEPT = "isoworker.account.key.kept";
    public static final String JOBS_AWAITING_ACCOUNT = "isoworker.jobs.awaiting.account";

    /** The reason {@code account}'s requests are held for its API key; null when they are not ({@link AccountMeters}). */
    public void apiKeyHold(String account, String reason) {
        accounts.apiKeyHold(account, reason);
    }

    /** A reload of the key directory kept {@code account}'s last good key because its file read {@code reason}. */
    public void accountKeyKept(String account, String reason) {
        accounts.accountKeyKept(account, reason);
    }

    /** A resumed job starts ({@code +1}) or stops ({@code -1}) waiting for an account this instance holds no key for. */
    public void jobsAwaitingAccount(int delta) {
        accounts.jobsAwaitingAccount(delta);
    }

    private static double nanIfUnknown(int v) {
        return v < 0 ? Double.NaN : v;
    }
}
