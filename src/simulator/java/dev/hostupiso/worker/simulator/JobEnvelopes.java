package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;

/**
 * A job as a poll shows it, in either envelope: v1 ({@code success/data} with a BullMQ-like state) or v2
 * ({@code operation}). Both carry unknown extra fields, to keep clients honest.
 */
final class JobEnvelopes {

    private JobEnvelopes() {
    }

    private enum Phase { QUEUED, IN_PROGRESS, COMPLETED, FAILED }

    /** Where a job stands at {@code now}: queued for its first tenth, then in progress, then done. */
    private record Progress(Phase phase, int percent) {
        static Progress of(VpsScript.Job job, Instant now) {
            if (job.done) {
                return job.failed ? new Progress(Phase.FAILED, 0) : new Progress(Phase.COMPLETED, 100);
            }
            long total = Math.max(1, Duration.between(job.createdAt, job.finishAt).toNanos());
            long elapsed = Math.max(0, Duration.between(job.createdAt, now).toNanos());
            if (elapsed * 10 < total) {
                return new Progress(Phase.QUEUED, 0);
            }
            return new Progress(Phase.IN_PROGRESS,
                    (int) Math.max(1, Math.min(99, (long) ((double) elapsed * 100 / total))));
        }
    }

    private static ObjectNode result(VpsScript.Job job, Phase phase) {
        ObjectNode result = HostUpSimulator.JSON.createObjectNode();
        if (phase == Phase.COMPLETED) {
            result.put("filename", job.filename);
            result.put("volume", "local:iso/" + job.filename);
        } else if (phase == Phase.FAILED) {
            result.put("error", "download_failed");
            result.put("message", job.failure());
        }
        return result;
    }

    private static String status(Phase p) {
        switch (p) {
            case QUEUED:
                return "queued";
            case IN_PROGRESS:
                return "in_progress";
            case COMPLETED:
                return "completed";
            default:
                return "failed";
        }
    }

    private static String state(Phase p) {
        switch (p) {
            case QUEUED:
                return "waiting";
            case IN_PROGRESS:
                return "active";
            case COMPLETED:
                return "completed";
            default:
                return "failed";
        }
    }

    private static String message(Phase p, VpsScript.Job job) {
        switch (p) {
            case QUEUED:
                return "Waiting in queue";
            case IN_PROGRESS:
                return "Downloading " + job.filename;
            case COMPLETED:
                return "Download finished";
            default:
                return "Download failed: " + job.failure();
        }
    }

    static ObjectNode v1(String requestId, VpsScript.Job job, Instant now) {
        Progress p = Progress.of(job, now);
        ObjectNode root = HostUpSimulator.JSON.createObjectNode();
        root.put("success", true);
        root.put("timestamp", Problems.BODY_TS.format(now));
        root.put("requestId", requestId);
        ObjectNode d = root.putObject("data");
        d.put("jobId", job.id);
        String message = message(p.phase(), job);
        d.put("state", state(p.phase()));
        d.put("status", status(p.phase()));
        d.put("progress", p.percent());
        ObjectNode pd = d.putObject("progressDetails");
        pd.put("percentage", p.percent());
        pd.put("message", message);
        pd.put("current", job.sizeBytes * p.percent() / 100);
        pd.put("total", job.sizeBytes);
        d.put("progressMessage", message);
        d.set("result", result(job, p.phase()));
        v1Flags(d, job, p.phase());
        root.putObject("meta").put("apiVersion", "1.4.2");
        return root;
    }

    private static void v1Flags(ObjectNode d, VpsScript.Job job, Phase phase) {
        d.put("isCompleted", phase == Phase.COMPLETED);
        d.put("isFailed", phase == Phase.FAILED);
        d.put("isRunning", phase == Phase.IN_PROGRESS);
        d.put("isWaiting", phase == Phase.QUEUED);
        d.put("createdAt", Problems.BODY_TS.format(job.createdAt));
        if (job.done) {
            d.put("finishedAt", Problems.BODY_TS.format(job.finishAt));
        } else {
            d.putNull("finishedAt");
        }
        d.put("attemptsMade", 1);
        d.put("queueName", "iso-downloads");
    }

    static ObjectNode v2(VpsScript.Job job, Instant now) {
        Progress p = Progress.of(job, now);
        ObjectNode root = HostUpSimulator.JSON.createObjectNode();
        ObjectNode op = root.putObject("operation");
        op.put("status", status(p.phase()));
        op.put("jobId", job.id);
        if (job.alreadyExisted) {
            op.putNull("pollUrl");
        } else {
            op.put("pollUrl", "/api/jobs/" + job.id);
        }
        if (p.phase() == Phase.COMPLETED || p.phase() == Phase.FAILED) {
            op.set("result", result(job, p.phase()));
        } else {
            op.putNull("result");
        }
        op.put("type", "vps.iso.download_from_url");
        op.put("progress", p.percent());
        op.put("updatedAt", Problems.BODY_TS.format(now));
        root.putObject("links").put("self", "/api/jobs/" + job.id);
        return root;
    }
}
