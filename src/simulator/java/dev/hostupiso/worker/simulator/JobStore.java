package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The download jobs: from-url creates them (or answers "already in the library"), polls read them, and every job
 * started is counted per file ({@link DownloadRegistry}). A job's state follows the clock: it is settled on each
 * call, there are no background threads.
 */
final class JobStore {

    private final Map<String, VpsScript.Job> jobs = new ConcurrentHashMap<>();
    private final DownloadRegistry downloads = new DownloadRegistry();

    DownloadRegistry downloads() {
        return downloads;
    }

    VpsScript.Job find(String jobId) {
        return jobId == null ? null : jobs.get(jobId);
    }

    /** Makes a job made elsewhere (a mount job) known to polls. */
    void register(VpsScript.Job job) {
        jobs.put(job.id, job);
    }

    int size() {
        return jobs.size();
    }

    void clear() {
        jobs.clear();
        downloads.clear();
    }

    /** {@code POST .../iso/actions/from-url}: validation, the VPS's upload permission, then a job. */
    Reply fromUrl(Call c, VpsScript vps) {
        FromUrlRequest request = FromUrlRequest.parse(c.body);
        if (request == null) {
            return ProblemRenderer.notAnObject(c);
        }
        if (!request.errors.isEmpty()) {
            return ProblemRenderer.invalid(c, request.errors);
        }
        if (!vps.canUploadAllowed()) {
            return uploadNotAllowed(c, vps);
        }
        return queue(c, vps, request.filename);
    }

    private static Reply uploadNotAllowed(Call c, VpsScript vps) {
        String reason = vps.canUploadReason();
        ObjectNode ext = HostUpSimulator.JSON.createObjectNode();
        ObjectNode cu = ext.putObject("canUpload");
        cu.put("allowed", false);
        cu.put("reason", reason);
        cu.put("code", vps.canUploadCode());
        return ProblemRenderer.problem(c, 409, "upload_not_allowed",
                reason != null ? reason : "Uploads are not allowed for this VPS right now.", null, ext);
    }

    /** 200 with a completed job if the file is in the library already, else 202 with a new queued job. */
    private Reply queue(Call c, VpsScript vps, String filename) {
        ObjectNode body = HostUpSimulator.JSON.createObjectNode();
        ObjectNode op = body.putObject("operation");
        String jobId = HostUpSimulator.newId("job_");
        int status;
        synchronized (vps) {
            Instant now = c.now();
            vps.settle(now);
            VpsScript.Iso existing = vps.findByName(filename);
            VpsScript.Job job;
            if (existing != null) {
                job = vps.completedJob(jobId, c.seq, existing, now);
                op.put("status", "completed");
                op.put("jobId", jobId);
                op.putNull("pollUrl");
                status = 200;
            } else {
                job = vps.newJob(jobId, c.seq, filename, now);
                downloads.started(vps.vpsId(), filename);
                op.put("status", "queued");
                op.put("jobId", jobId);
                op.put("pollUrl", "/api/jobs/" + jobId);
                op.putNull("result");
                status = 202;
            }
            jobs.put(jobId, job);
        }
        return ProblemRenderer.json(status, body);
    }

    /** {@code GET /api/jobs/{id}} in the VPS's envelope. */
    Reply poll(Call c, VpsScript vps, VpsScript.Job job) {
        JobEnvelope envelope = vps.envelope();
        synchronized (vps) {
            if (job.unknownPollsLeft > 0) {
                job.unknownPollsLeft--;
                return ProblemRenderer.problem(c, 404, "job_not_found", "Job " + job.id + " was not found.");
            }
            Instant now = c.now();
            vps.settle(now);
            return ProblemRenderer.json(200, envelope == JobEnvelope.V2_OPERATION
                    ? JobEnvelopes.v2(job, now)
                    : JobEnvelopes.v1(c.requestId, job, now));
        }
    }

    /** Start and end of every job, in creation order. */
    List<JobTimes> jobTimes(Instant now) {
        List<JobTimes> out = new ArrayList<>();
        for (VpsScript.Job j : jobs.values()) {
            synchronized (j.vps) {
                j.vps.settle(now);
                out.add(new JobTimes(j.id, j.vps.vpsId(), j.filename, j.createdAt, j.finishAt,
                        !now.isBefore(j.finishAt), j.done ? j.failed : j.failMessage != null, j.alreadyExisted));
            }
        }
        out.sort(Comparator.comparing(JobTimes::createdAt).thenComparing(JobTimes::jobId));
        return out;
    }
}
