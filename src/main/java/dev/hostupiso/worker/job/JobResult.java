package dev.hostupiso.worker.job;

/**
 * How a request ended.
 *
 * @param isoId          the mountable {@code available[].id}, when completed
 * @param alreadyExisted from-url answered 200: the ISO was in the library already
 * @param attempts       from-url calls made (retries included)
 * @param polls          job polls made
 * @param error          why it failed, when failed
 */
public record JobResult(boolean completed, String isoId, String jobId, boolean alreadyExisted, int attempts,
                        int polls, JobError error) {

    static JobResult completed(JobContext ctx, String isoId) {
        return new JobResult(true, isoId, ctx.jobId, ctx.alreadyExisted, ctx.fromUrlCalls, ctx.polls, null);
    }

    public static JobResult failed(JobContext ctx, JobError error) {
        return new JobResult(false, null, ctx.jobId, false, ctx.fromUrlCalls, ctx.polls, error);
    }
}
