package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.DownloadProgress;

/**
 * Told about a running download's progress, already throttled per job ({@link ProgressThrottle}).
 * Best effort: an implementation returns at once, never throws and never delays the job.
 */
public interface ProgressListener {

    void progressed(JobContext ctx, DownloadProgress progress);
}
