package dev.hostupiso.worker.simulator;

import java.time.Duration;

/**
 * Handles one call in the API's order: rate limit (429) → authentication (401) → IP restriction (403) → route
 * (404/405) → scope (403) → VPS/job lookup (404) → scripted response, else a random fault → VPS forbidden (403) →
 * normal handling by the endpoint.
 */
final class Router {

    private final AccessGate gate;
    private final VpsDirectory vpss;
    private final JobStore jobs;
    private final FaultPlan faults;

    Router(AccessGate gate, VpsDirectory vpss, JobStore jobs, FaultPlan faults) {
        this.gate = gate;
        this.vpss = vpss;
        this.jobs = jobs;
        this.faults = faults;
    }

    Reply process(Call c) {
        Route route = Route.of(c.path);
        if (route != null) {
            c.vpsId = route.vpsId();
            c.jobId = route.jobId();
            if (route.method().equals(c.method)) {
                c.endpoint = route.endpoint();
            }
        }
        Reply refused = gate.admit(c);
        if (refused != null) {
            if (route != null && route.endpoint() == Endpoint.JOB) {
                attributeJob(c);
            }
            return refused;
        }
        if (route == null) {
            return ProblemRenderer.problem(c, 404, "route_not_found",
                    "No route matches " + c.method + " " + c.path + ".");
        }
        if (c.endpoint == null) {
            c.header("Allow", route.method());
            return ProblemRenderer.problem(c, 405, "method_not_allowed",
                    "Method " + c.method + " is not allowed here; use " + route.method() + ".");
        }
        Reply noScope = AccessGate.checkScopes(c);
        return noScope != null ? noScope : lookup(c);
    }

    /** The VPS (or the polled job and its VPS), then the answer. */
    private Reply lookup(Call c) {
        if (c.endpoint == Endpoint.VPS_LIST) {
            return VpsListing.list(c, vpss);
        }
        if (c.endpoint == Endpoint.JOB) {
            VpsScript.Job job = attributeJob(c);
            if (job == null) {
                return ProblemRenderer.problem(c, 404, "job_not_found", "Job " + c.jobId + " was not found.");
            }
            return scriptedOrNormal(c, job.vps, job);
        }
        VpsScript vps = vpss.lookup(c.vpsId);
        if (vps == null) {
            return ProblemRenderer.problem(c, 404, "vps_not_found", "VPS " + c.vpsId + " was not found.");
        }
        return scriptedOrNormal(c, vps, null);
    }

    /** The VPS's next scripted answer for the endpoint, else a random fault, else normal handling. */
    private Reply scriptedOrNormal(Call c, VpsScript vps, VpsScript.Job job) {
        if (c.endpoint == Endpoint.FROM_URL) {
            FromUrlRequest asked = FromUrlRequest.parse(c.body);
            if (asked != null && asked.filename != null) {
                jobs.downloads().asked(vps.vpsId(), asked.filename);
            }
        }
        ScriptedResponse scripted = vps.nextScripted(c.endpoint);
        if (scripted == null) {
            Fault fault = faults.draw(c.endpoint);
            scripted = fault == null ? null : faults.response(fault);
        }
        if (scripted == null) {
            return normal(c, vps, job);
        }
        c.extraHeaders.addAll(scripted.headers);
        switch (scripted.kind) {
            case DELAYED:
                sleep(scripted.delay);
                return normal(c, vps, job);
            case LATE:
                return normal(c, vps, job).heldFor(scripted.delay);
            case AFTER_HANDLING:
                normal(c, vps, job);
                return ProblemRenderer.scripted(c, scripted.then);
            default:
                return ProblemRenderer.scripted(c, scripted);
        }
    }

    /** VPS-level permission, then the endpoint's own handling. */
    private Reply normal(Call c, VpsScript vps, VpsScript.Job job) {
        if (vps.isForbidden()) {
            return ProblemRenderer.problem(c, 403, "forbidden", "The API key may not access this VPS.");
        }
        switch (c.endpoint) {
            case FROM_URL:
                return jobs.fromUrl(c, vps);
            case JOB:
                return jobs.poll(c, vps, job);
            case ISO_LIST:
                return IsoLibrary.list(c, vps);
            case MOUNT:
                return IsoLibrary.mount(c, vps, jobs::register);
            case UNMOUNT:
                return IsoLibrary.unmount(c, vps);
            default:
                throw new IllegalStateException("unhandled endpoint " + c.endpoint);
        }
    }

    /** Looks the polled job up and fills in its VPS id; null if unknown (or its VPS was reset). */
    private VpsScript.Job attributeJob(Call c) {
        VpsScript.Job job = jobs.find(c.jobId);
        if (job == null || vpss.registered(job.vps.vpsId()) != job.vps) {
            return null;
        }
        c.vpsId = job.vps.vpsId();
        return job;
    }

    /** A scripted slow answer holds its request thread, as a slow server would. */
    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
