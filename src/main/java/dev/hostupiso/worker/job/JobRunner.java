package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.JobResult;
import io.smallrye.mutiny.Uni;

/** What the dispatcher asks of the core: run one request to its end ({@link IsoJobRunner} does). */
public interface JobRunner {

    /**
     * Runs the request from wherever its context says it is; the item is how it ended. Fails only
     * with {@link JobCancelledException}, when the job is handed over.
     */
    Uni<JobResult> run(JobContext ctx);
}
