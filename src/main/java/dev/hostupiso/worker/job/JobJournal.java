package dev.hostupiso.worker.job;

import io.smallrye.mutiny.Uni;

/**
 * Where a running job records its progress so that another process can take over without a second
 * download: the job ledger. A job continues only once the record is durable.
 */
public interface JobJournal {

    /** Records that {@code ctx} reached {@code state} (a non-terminal one). */
    Uni<Void> record(JobContext ctx, JobState state);
}
