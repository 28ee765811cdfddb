package dev.hostupiso.worker.wire;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How far a running download is, as one poll saw it.
 *
 * @param percentage 0–100, from bytes when HostUp reports them (finer than its whole percentage)
 * @param bytesDone  bytes downloaded, when reported
 * @param bytesTotal bytes in all, when reported
 * @param eta        when the download should end, if progress allows an estimate
 * @param observedAt when the poll was answered
 */
public record DownloadProgress(double percentage, OptionalLong bytesDone, OptionalLong bytesTotal, Optional<Instant> eta,
                               Instant observedAt) {

    public DownloadProgress {
        if (!(percentage >= 0 && percentage <= 100)) {
            throw new IllegalArgumentException("percentage must be in [0, 100], got " + percentage);
        }
        if (bytesDone.isPresent() != bytesTotal.isPresent()) {
            throw new IllegalArgumentException("bytes done and total come together");
        }
    }
}
