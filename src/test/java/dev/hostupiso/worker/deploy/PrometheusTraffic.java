package dev.hostupiso.worker.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.simulator.RetryAfterStyle;
import dev.hostupiso.worker.simulator.ScriptedResponse;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.hostupiso.worker.deploy.Rendered.JSON;

/** The traffic {@link PrometheusEndToEndTest} drives through the worker so that every metric of the dashboard has data. */
final class PrometheusTraffic {

    private PrometheusTraffic() {
    }

    static final int RATE_LIMIT_CALLS = 8;

    /**
     * One round of varied traffic, all in flight at once: a queued download, an ISO already in the
     * library, a job poll answered 503, a failed job, a 429 with {@code Retry-After: 1} (which pauses the whole worker for a
     * second), a request refused locally and a poison record for the dead-letter topic.
     */
    static void wave(HostUpSimulator sim, int n) {
        List<String> outcomes = new ArrayList<>();
        String queued = vps();
        sim.vps(queued).jobDuration(Duration.ofMillis(400));
        outcomes.add(send(queued, "queued-" + n + ".iso"));
        String unavailable = vps();
        sim.vps(unavailable).jobDuration(Duration.ofMillis(200)).enqueue(Endpoint.JOB, ScriptedResponse.problem(503, "upstream_unavailable"));
        outcomes.add(send(unavailable, "unavailable-" + n + ".iso"));
        String existing = vps();
        sim.vps(existing).preexisting("rescue-" + n + ".img");
        outcomes.add(send(existing, "rescue-" + n + ".img"));
        String failing = vps();
        sim.vps(failing).failJobs("origin answered 404 for the ISO");
        outcomes.add(send(failing, "missing-" + n + ".iso"));
        String limited = vps();
        sim.vps(limited).enqueue(Endpoint.FROM_URL, ScriptedResponse.rateLimited("1"));
        outcomes.add(send(limited, "limited-" + n + ".iso"));
        String invalidId = "prom-invalid-" + uid();
        ObjectNode invalid = request(invalidId, vps(), "../etc/passwd").put("url", "ftp://mirror.example.org/x.iso");
        WorkerTestEnvironment.send(invalidId, invalid.toString());
        outcomes.add(invalidId);
        String poisonKey = "prom-poison-" + uid();
        WorkerTestEnvironment.send(poisonKey, "this is not json");

        for (String rid : outcomes) {
            WorkerTestEnvironment.watcher().awaitKey(WorkerTestEnvironment.EVENTS, rid, PrometheusEndToEndTest.OUTCOME_TIMEOUT);
        }
        WorkerTestEnvironment.watcher().awaitKey(WorkerTestEnvironment.DLQ, poisonKey, PrometheusEndToEndTest.OUTCOME_TIMEOUT);
    }

    /** A window under HostUp's per-key rate limit, so the X-RateLimit-* gauges carry values. */
    static void rateLimitedWindow(HostUpSimulator sim) {
        sim.rateLimit(RATE_LIMIT_CALLS, Duration.ofSeconds(2), RetryAfterStyle.SECONDS);
        try {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String vps = vps();
                sim.vps(vps);
                ids.add(send(vps, "paced-" + i + ".iso"));
            }
            for (String rid : ids) {
                WorkerTestEnvironment.watcher().awaitKey(WorkerTestEnvironment.EVENTS, rid, PrometheusEndToEndTest.OUTCOME_TIMEOUT);
            }
            PrometheusEndToEndTest.awaitScrapeAfter(Instant.now());
        } finally {
            sim.rateLimit(0, Duration.ofSeconds(1), RetryAfterStyle.SECONDS);
        }
    }

    static String send(String vps, String filename) {
        String rid = "prom-" + uid();
        WorkerTestEnvironment.send(rid, request(rid, vps, filename).toString());
        return rid;
    }

    static ObjectNode request(String requestId, String vpsId, String filename) {
        return JSON.createObjectNode().put("requestId", requestId).put("vpsId", vpsId)
                .put("url", "https://releases.example.org/images/" + filename).put("filename", filename);
    }

    static String uid() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static String vps() {
        return "vps_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }
}
