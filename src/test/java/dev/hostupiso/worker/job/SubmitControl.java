package dev.hostupiso.worker.job;

/** Test access to a job's "from-url call on the wire" mark, which only the job runner sets. */
public final class SubmitControl {

    private SubmitControl() {
    }

    public static void begin(JobContext ctx) {
        ctx.handOver.beginSubmit();
    }

    public static void end(JobContext ctx) {
        ctx.handOver.endSubmit();
    }
}
