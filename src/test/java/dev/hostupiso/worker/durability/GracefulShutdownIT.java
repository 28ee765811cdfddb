package dev.hostupiso.worker.durability;

import dev.hostupiso.worker.demo.WorkerProcess;
import dev.hostupiso.worker.simulator.Endpoint;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM (what Kubernetes sends) while jobs are polled: the worker leaves well within the grace
 * period, and the next instance resumes the jobs right away (no session timeout to wait for).
 */
class GracefulShutdownIT {

    @Test
    void sigtermHandsJobsOverQuickly() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster("sigterm", 3, false)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                cluster.sim.vps("vps_term" + i).jobDuration(Duration.ofSeconds(12));
                ids.add("term-" + i);
            }
            WorkerProcess first = cluster.startWorker();
            for (int i = 0; i < 10; i++) {
                cluster.send(ids.get(i), "vps_term" + i, "image-" + i + ".iso");
            }
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> ids.stream().allMatch(id -> cluster.sim.count("vps_term" + id.substring(5), Endpoint.JOB) > 0));
            Instant term = Instant.now();
            first.close(); // SIGTERM, waits for the exit
            Duration leaving = Duration.between(term, Instant.now());
            assertThat(leaving).as("time to leave after SIGTERM").isLessThan(Duration.ofSeconds(15));
            assertThat(ProcessCluster.logLines(first, "handed over via the ledger")).isEqualTo(1);

            WorkerProcess second = cluster.startWorker();
            cluster.assertExactlyOneCompletedOutcomeEach(ids, id -> "vps_term" + id.substring(5), Duration.ofSeconds(60));
            assertThat(ProcessCluster.logLines(second, "resuming: polling")).isEqualTo(10);
            System.out.printf("[measured] SIGTERM to exit with 10 jobs in flight: %d ms%n", leaving.toMillis());
        }
    }
}
