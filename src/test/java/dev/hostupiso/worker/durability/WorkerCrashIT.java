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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of the only worker while its jobs are being polled: the next instance resumes every job
 * from the ledger. Every request ends with exactly one outcome, HostUp saw exactly one from-url per
 * request, nothing is lost — including requests sent while no worker was running.
 */
@ExtendWith(WorkerLogsOnFailure.class)
class WorkerCrashIT {

    @Test
    void killedWorkerIsReplacedWithoutASecondDownloadOrALostRequest() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster("crash", 3, false)) {
            List<String> vpss = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String vps = "vps_crash" + i;
                cluster.sim.vps(vps).jobDuration(Duration.ofMillis(9000 + 150L * i));
                vpss.add(vps);
                ids.add("crash-" + i);
            }
            WorkerProcess first = cluster.startWorker();
            for (int i = 0; i < 30; i++) {
                cluster.send(ids.get(i), vpss.get(i), "image-" + i + ".iso");
            }
            // Kill while every job is submitted and being polled, none finished.
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> vpss.stream().allMatch(v -> cluster.sim.count(v, Endpoint.JOB) > 0));
            assertThat(cluster.outcomes()).isEmpty();
            first.kill();

            // Requests that arrive while no worker runs are not lost either.
            for (int i = 0; i < 5; i++) {
                String vps = "vps_crash_late" + i;
                cluster.sim.vps(vps).jobDuration(Duration.ofSeconds(1));
                vpss.add(vps);
                ids.add("crash-late-" + i);
                cluster.send("crash-late-" + i, vps, "late-" + i + ".iso");
            }
            WorkerProcess second = cluster.startWorker();

            cluster.assertExactlyOneCompletedOutcomeEach(ids, id -> vpss.get(ids.indexOf(id)), Duration.ofSeconds(120));
            assertThat(second.get("/q/metrics")).contains("isoworker_jobs_resumed_total");
            assertThat(ProcessCluster.logLines(second, "resuming: polling")).isEqualTo(30);
        }
    }
}
