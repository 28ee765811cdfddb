package dev.hostupiso.worker.simulator;

import java.time.Instant;

/**
 * When a download job the simulator created starts and ends, for measurements (e.g. the benchmarks'
 * completion latency: from the moment the simulator marks a job completed to the worker's outcome event).
 *
 * @param jobId          the job id ({@code job_…})
 * @param vpsId          the VPS the job belongs to
 * @param filename       the requested filename
 * @param createdAt      when from-url created the job, by the simulator's clock
 * @param finishAt       when the job completes (or fails): from this instant on, every poll sees it finished.
 *                       A job from a from-url 200 (already in the library) finishes at {@code createdAt}.
 * @param finished       whether {@code finishAt} has passed (by the simulator's clock, at the time of the query)
 * @param failed         whether the job ends failed
 * @param alreadyExisted whether from-url answered 200 (the ISO was already in the library)
 */
public record JobTimes(String jobId, String vpsId, String filename, Instant createdAt, Instant finishAt,
                       boolean finished, boolean failed, boolean alreadyExisted) {
}
