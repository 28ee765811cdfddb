package dev.hostupiso.worker.durability;

import dev.hostupiso.worker.testsupport.WorkerLogsOnFailure;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.hostupiso.worker.localstack.WorkerProcess;
import dev.hostupiso.worker.simulator.Endpoint;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A partition revoked and then handed back to the same instance (a pod that joins and leaves soon
 * after: a rollout, a KEDA scale-out undone) while its jobs wait between polls. The jobs stopped
 * on revocation must leave at once, so that the hand-back resumes them; a job still registered
 * would make the resume skip it, and then leave without an outcome.
 */
@ExtendWith(WorkerLogsOnFailure.class)
class HandBackIT {

    /** Long waits between polls: a stopped job that lingered would still be registered at the hand-back. */
    private static final Map<String, String> SLOW_POLLS = Map.of("ISO_POLL_INITIAL_DELAY", "20s", "ISO_POLL_MAX_DELAY", "20s");

    @Test
    void jobsHandedBackToTheSameInstanceStillGetTheirOutcome() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster("hand-back", 3, false)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                cluster.sim.vps("vps_back" + i).jobDuration(Duration.ofSeconds(5));
                ids.add("back-" + i);
            }
            WorkerProcess first = cluster.launchWorker(SLOW_POLLS);
            first.awaitReady(Duration.ofSeconds(90));
            for (int i = 0; i < ids.size(); i++) {
                cluster.send(ids.get(i), "vps_back" + i, "image-" + i + ".iso");
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                    ids.stream().allMatch(id -> cluster.sim.count(vpsOf(id), Endpoint.FROM_URL) == 1));

            // A second instance takes some partitions over, then leaves at once: they come back.
            WorkerProcess second = cluster.launchWorker(SLOW_POLLS);
            second.awaitReady(Duration.ofSeconds(90));
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> ProcessCluster.logLines(second, "assigned request partitions") > 0);
            second.close();
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> ProcessCluster.logLines(first, "assigned request partitions") >= 2);

            cluster.assertExactlyOneCompletedOutcomeEach(ids, HandBackIT::vpsOf, Duration.ofSeconds(90));
        }
    }

    private static String vpsOf(String requestId) {
        return "vps_" + requestId.replace("-", "");
    }
}
