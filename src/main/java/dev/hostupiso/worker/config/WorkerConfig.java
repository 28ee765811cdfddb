package dev.hostupiso.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Worker settings under {@code iso.*}. Every property can also be set as an environment variable
 * (SmallRye Config maps {@code iso.poll.initial-delay} to {@code ISO_POLL_INITIAL_DELAY}).
 */
@ConfigMapping(prefix = "iso")
public interface WorkerConfig {

    /** Topic the download requests are read from ({@code ISO_REQUESTS_TOPIC}). */
    @WithDefault("iso-download-requests")
    String requestsTopic();

    /** Topic the completed/failed outcome events are written to ({@code ISO_EVENTS_TOPIC}). */
    @WithDefault("iso-download-events")
    String eventsTopic();

    /** Dead-letter topic for records that cannot be answered at all ({@code ISO_DLQ_TOPIC}). */
    @WithDefault("iso-download-requests-dlq")
    String dlqTopic();

    /**
     * Compacted topic holding each request's state machine, keyed by {@code requestId} and
     * co-partitioned with the request topic ({@code ISO_LEDGER_TOPIC}).
     */
    @WithDefault("iso-download-jobs")
    String ledgerTopic();

    /** The job ledger. */
    Ledger ledger();

    /** Topic creation at start-up. */
    Topics topics();

    /** CloudEvents {@code ce_source} of the outcome events ({@code ISO_EVENTS_SOURCE}). */
    @WithDefault("/hostup-iso-worker")
    String eventsSource();

    /** Polling and retry timing. */
    Poll poll();

    /**
     * Upper bound on a server-requested {@code Retry-After} wait ({@code ISO_RETRY_AFTER_MAX}); a
     * longer value is clamped so a misbehaving proxy cannot park the worker for days.
     */
    @WithDefault("10m")
    Duration retryAfterMax();

    /**
     * Deadline of one request, from its arrival to its outcome ({@code ISO_JOB_TIMEOUT}); past it the
     * request fails with {@code job_timeout}.
     */
    @WithDefault("6h")
    Duration jobTimeout();

    /**
     * Jobs one instance runs at once ({@code ISO_MAX_IN_FLIGHT}); when reached, the worker stops
     * reading requests until a job finishes.
     */
    @WithDefault("1000")
    int maxInFlight();

    /**
     * Reads of the ISO library after a job completed before giving up with {@code iso_not_listed}
     * ({@code ISO_RESOLVE_ATTEMPTS}); the list can lag the job by a moment.
     */
    @WithDefault("5")
    int resolveAttempts();

    /**
     * Polls answered 404 right after submission that are retried before the job is declared lost
     * ({@code ISO_JOB_NOT_FOUND_RETRIES}); the backend may not know a fresh job yet.
     */
    @WithDefault("5")
    int jobNotFoundRetries();

    /**
     * How long a hand-over (partition revoked, or SIGTERM) waits for from-url calls already sent to
     * be answered and recorded before the jobs stop ({@code ISO_HAND_OVER_GRACE}). Keep it below
     * the shutdown timeout; without it every rollout could leave downloads whose queueing nobody
     * recorded.
     */
    @WithDefault("20s")
    Duration handOverGrace();

    /** The worker's own look at a request's URL before from-url. */
    @WithParentName
    UrlPreflight urlPreflight();

    /**
     * HostUp refuses URLs that redirect and files over 20 GB, and most ISO links redirect. Before
     * from-url the worker asks the origin itself (HEAD, else a one-byte GET), without credentials
     * and only to addresses its SSRF guard lets through.
     */
    interface UrlPreflight {
        /**
         * {@code off} (submit as given), {@code check} (a redirecting URL fails with
         * {@code url_redirects}) or {@code resolve} (redirects are followed and the final URL is
         * submitted) ({@code ISO_URL_PREFLIGHT}).
         */
        @WithName("url-preflight")
        @WithDefault("resolve")
        PreflightMode mode();

        /** Redirects followed; more (or a loop) fail the request with {@code url_redirects} ({@code ISO_URL_MAX_REDIRECTS}). */
        @WithName("url-max-redirects")
        @WithDefault("5")
        int maxRedirects();

        /** Budget of one hop of the preflight, DNS, connect and answer included ({@code ISO_URL_PREFLIGHT_TIMEOUT}). */
        @WithName("url-preflight.timeout")
        @WithDefault("5s")
        Duration timeout();

        /**
         * Addresses the preflight may reach although the SSRF guard blocks them: comma-separated
         * CIDRs ({@code 10.20.0.0/16}), addresses or host names, each optionally with
         * {@code :port} ({@code mirror.internal:8443}, {@code [fd00::5]:80}), reachable as a request's own host;
         * prefixed with {@code redirect:} also through a public origin's redirect. A cloud metadata address is
         * allowed only by an entry naming exactly it ({@code ISO_URL_PREFLIGHT_ALLOW}).
         */
        @WithName("url-preflight.allow")
        Optional<List<String>> allow();
    }

    /** Submitting downloads (from-url). */
    Submit submit();

    /** from-url is not idempotent: how the worker avoids queueing a download twice. */
    interface Submit {
        /**
         * from-url calls per request that may have reached HostUp (answered, or answered ambiguously:
         * a timeout, a reset, a 5xx) before the request fails ({@code ISO_SUBMIT_MAX_ATTEMPTS}).
         * Answers that prove nothing was queued (429, 401, 409 vps_not_ready) do not count.
         */
        @WithDefault("3")
        int maxAttempts();

        /**
         * After an ambiguous from-url answer, the least time the worker watches the ISO library for
         * the file (a download that was queued after all) before it calls from-url again
         * ({@code ISO_SUBMIT_AMBIGUITY_WINDOW}). A file whose size the URL preflight saw gets 1.5 ×
         * its expected download time at 5 MB/s, up to 2 hours; without a size a download that takes
         * longer than this can be queued a second time; a shorter window recovers sooner from
         * answers that queued nothing.
         */
        @WithDefault("10m")
        Duration ambiguityWindow();
    }

    /** Spending HostUp's rate budget. */
    @WithName("rate-limit")
    RateLimit rateLimit();

    interface RateLimit {
        /**
         * Ceiling on the paced call rate as a multiple of the key's learned average (limit ÷ window)
         * ({@code ISO_RATE_LIMIT_BURST}); ≥ 1. 1.5 keeps any second's calls within 1.5× the average.
         */
        @WithDefault("1.5")
        double burst();

        /**
         * How this instance's share of the API key's budget is found ({@code ISO_RATE_LIMIT_SHARE}):
         * {@code partitions} = request partitions owned ÷ the topic's partitions (instances of one consumer group share
         * a key), {@code whole} = the whole budget (one instance per key).
         */
        @WithDefault("partitions")
        String share();
    }

    /** When 403s are the API key's problem rather than one request's. */
    ForbiddenHold forbiddenHold();

    /** When 403s are the API key's problem rather than one request's. */
    interface ForbiddenHold {
        /**
         * 403s for this many different VPSs in a row, with no working call in between, hold intake
         * like a rejected key ({@code ISO_FORBIDDEN_HOLD_VPSS}).
         */
        @WithDefault("3")
        int vpss();

        /**
         * How long a 403 waits, before failing its request with {@code forbidden}, for either a call
         * that shows the key working or enough other 403s to hold intake
         * ({@code ISO_FORBIDDEN_HOLD_CONFIRMATION}).
         */
        @WithDefault("30s")
        java.time.Duration confirmation();
    }

    /** Polling timing. */
    interface Poll {
        /** First delay before polling a job, and the floor of every backoff ({@code ISO_POLL_INITIAL_DELAY}). */
        @WithDefault("2s")
        Duration initialDelay();

        /** Cap of the exponential backoff between polls and retries ({@code ISO_POLL_MAX_DELAY}). */
        @WithDefault("60s")
        Duration maxDelay();

        /**
         * Schedule polls from the job's reported progress ({@code ISO_POLL_PROGRESS_AWARE}): estimate when the
         * download ends and poll just after it; without usable progress (queued, none, a stall) poll at waits that grow
         * with the time without news, up to just under {@code ISO_POLL_MAX_DELAY}. {@code Retry-After} always wins.
         * Off: plain backoff, for comparison.
         */
        @WithDefault("true")
        boolean progressAware();

        /**
         * Longest wait between polls chosen from a progress estimate, when the download's estimated
         * end is further away than {@code ISO_POLL_MAX_DELAY} ({@code ISO_POLL_PROGRESS_MAX_DELAY});
         * at least the backoff cap. Backoff never waits longer than {@code ISO_POLL_MAX_DELAY}.
         */
        @WithDefault("10m")
        Duration progressMaxDelay();
    }

    /** Download progress events. */
    Progress progress();

    /**
     * Download progress events: best-effort CloudEvents {@code dev.hostupiso.iso.download.progress},
     * throttled per job, never delaying an outcome.
     */
    interface Progress {
        /** Publish progress events ({@code ISO_PROGRESS_ENABLED}); off, no topic is created either. */
        @WithDefault("true")
        boolean enabled();

        /** Topic of the progress events ({@code ISO_PROGRESS_TOPIC}), keyed by {@code requestId}. */
        @WithDefault("iso-download-progress")
        String topic();

        /**
         * At most one progress event per job per this interval ({@code ISO_PROGRESS_MIN_INTERVAL}),
         * besides one at each 10 % step.
         */
        @WithDefault("10s")
        Duration minInterval();
    }

    /** The job ledger. */
    interface Ledger {
        /**
         * How long a finished request stays in the ledger ({@code ISO_LEDGER_RETENTION}): the dedup
         * window. A duplicate within it is answered from the ledger; after it, the entry is
         * tombstoned and a duplicate would run again.
         */
        @WithDefault("7d")
        Duration retention();

        /** How often finished entries older than the retention are tombstoned ({@code ISO_LEDGER_SWEEP_INTERVAL}). */
        @WithDefault("10m")
        Duration sweepInterval();

        /**
         * Prefix of the transactional id of the ledger/outcome producer ({@code ISO_LEDGER_TRANSACTIONAL_ID_PREFIX});
         * each process appends a unique suffix.
         */
        @WithDefault("hostup-iso-worker")
        String transactionalIdPrefix();
    }

    /** Topics the worker creates when they are missing. */
    interface Topics {
        /** Create missing topics at start-up ({@code ISO_TOPICS_CREATE}). */
        @WithDefault("true")
        boolean create();

        /** Partitions of a created request topic, and so of the ledger ({@code ISO_TOPICS_PARTITIONS}). */
        @WithDefault("6")
        int partitions();

        /** Replication factor of created topics; absent means the broker's default ({@code ISO_TOPICS_REPLICATION_FACTOR}). */
        java.util.Optional<Short> replicationFactor();
    }
}
