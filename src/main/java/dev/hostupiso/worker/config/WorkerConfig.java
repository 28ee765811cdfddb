package dev.hostupiso.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;

/**
 * Worker settings under {@code iso.*}. Every property can also be set as an environment variable
 * (SmallRye Config maps {@code iso.poll.initial-delay} to {@code ISO_POLL_INITIAL_DELAY}).
 */
@ConfigMapping(prefix = "iso")
public interface WorkerConfig {

    /** Topic the download requests are read from ({@code ISO_REQUESTS_TOPIC}). */
    @WithName("requests-topic")
    @WithDefault("iso-download-requests")
    String requestsTopic();

    /** Topic the completed/failed outcome events are written to ({@code ISO_EVENTS_TOPIC}). */
    @WithName("events-topic")
    @WithDefault("iso-download-events")
    String eventsTopic();

    /** Dead-letter topic for records that cannot be answered at all ({@code ISO_DLQ_TOPIC}). */
    @WithName("dlq-topic")
    @WithDefault("iso-download-requests-dlq")
    String dlqTopic();

    /** CloudEvents {@code ce_source} of the outcome events ({@code ISO_EVENTS_SOURCE}). */
    @WithName("events-source")
    @WithDefault("/hostup-iso-worker")
    String eventsSource();

    /** Polling and retry timing. */
    Poll poll();

    /**
     * Upper bound on a server-requested {@code Retry-After} wait ({@code ISO_RETRY_AFTER_MAX}); a
     * longer value is clamped so a misbehaving proxy cannot park the worker for days.
     */
    @WithName("retry-after-max")
    @WithDefault("10m")
    Duration retryAfterMax();

    /**
     * Deadline of one request, from its arrival to its outcome ({@code ISO_JOB_TIMEOUT}); past it the
     * request fails with {@code job_timeout}.
     */
    @WithName("job-timeout")
    @WithDefault("6h")
    Duration jobTimeout();

    /**
     * Jobs one instance runs at once ({@code ISO_MAX_IN_FLIGHT}); when reached, the worker stops
     * reading requests until a job finishes.
     */
    @WithName("max-in-flight")
    @WithDefault("1000")
    int maxInFlight();

    /**
     * Reads of the ISO library after a job completed before giving up with {@code iso_not_listed}
     * ({@code ISO_RESOLVE_ATTEMPTS}); the list can lag the job by a moment.
     */
    @WithName("resolve-attempts")
    @WithDefault("5")
    int resolveAttempts();

    /**
     * Polls answered 404 right after submission that are retried before the job is declared lost
     * ({@code ISO_JOB_NOT_FOUND_RETRIES}); the backend may not know a fresh job yet.
     */
    @WithName("job-not-found-retries")
    @WithDefault("5")
    int jobNotFoundRetries();

    /** How duplicate deliveries of one {@code requestId} are recognised. */
    Dedup dedup();

    /** Polling timing. */
    interface Poll {
        /** First delay before polling a job, and the floor of every backoff ({@code ISO_POLL_INITIAL_DELAY}). */
        @WithName("initial-delay")
        @WithDefault("2s")
        Duration initialDelay();

        /** Cap of the exponential backoff between polls and retries ({@code ISO_POLL_MAX_DELAY}). */
        @WithName("max-delay")
        @WithDefault("60s")
        Duration maxDelay();
    }

    /** Duplicate detection window (in memory, per instance). */
    interface Dedup {
        /** How long a finished request's outcome is remembered to answer a redelivery ({@code ISO_DEDUP_RETENTION}). */
        @WithDefault("1h")
        Duration retention();

        /** Most finished outcomes remembered; the oldest are forgotten first ({@code ISO_DEDUP_MAX_ENTRIES}). */
        @WithName("max-entries")
        @WithDefault("100000")
        int maxEntries();
    }
}
