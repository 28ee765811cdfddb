package dev.hostupiso.worker.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the sandbox's scenarios take.
 *
 * @param download     a normal download, from-url to completed
 * @param slowDownload a {@link Scenario#SLOW} download
 * @param retryAfter   the {@code Retry-After} of each {@link Scenario#RATE_LIMITED} 429
 * @param faultyAnswers how many 429s ({@link Scenario#RATE_LIMITED}) or 503s ({@link Scenario#FLAKY}) from-url gives
 *                     before it queues the download
 */
public record ScenarioTimings(Duration download, Duration slowDownload, Duration retryAfter, int faultyAnswers) {

    /** What a person trying the sandbox sees: slow is slow enough to watch, faults are over in seconds. */
    public static final ScenarioTimings DEFAULT =
            new ScenarioTimings(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(5), 2);

    public ScenarioTimings {
        Objects.requireNonNull(download, "download");
        Objects.requireNonNull(slowDownload, "slowDownload");
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (download.isNegative() || slowDownload.compareTo(download) < 0) {
            throw new IllegalArgumentException("need 0 <= download <= slowDownload");
        }
        if (retryAfter.toSeconds() < 1 || retryAfter.toNanos() % 1_000_000_000L != 0) {
            throw new IllegalArgumentException("retryAfter must be whole seconds >= 1 (Retry-After is in seconds)");
        }
        if (faultyAnswers < 1 || faultyAnswers > 10) {
            throw new IllegalArgumentException("faultyAnswers must be 1..10");
        }
    }
}
