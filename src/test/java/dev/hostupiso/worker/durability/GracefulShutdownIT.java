package dev.hostupiso.worker.durability;

import dev.hostupiso.worker.testsupport.WorkerLogsOnFailure;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.hostupiso.worker.localstack.WorkerProcess;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.simulator.ScriptedResponse;
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
@ExtendWith(WorkerLogsOnFailure.class)
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

    /**
     * A rollout while from-url calls are on the wire: HostUp queues each download at once but answers
     * only after 8 s, and SIGTERM comes while every answer is still on its way. The worker lets those answers arrive and records
     * them before it leaves, so the next owner polls the jobs instead of queueing them again.
     */
    @Test
    void sigtermLetsFromUrlCallsOnTheWireBeAnsweredAndRecorded() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster("sigterm-posts", 3, false)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                cluster.sim.vps("vps_post" + i).jobDuration(Duration.ofSeconds(20))
                        .enqueue(Endpoint.FROM_URL, ScriptedResponse.answeredLate(Duration.ofSeconds(8)));
                ids.add("post-" + i);
            }
            WorkerProcess first = cluster.startWorker();
            // One ordinary request first: until it has seen an answer, the rate limiter lets one call out at a time.
            cluster.send("post-warm", "vps_postwarm", "warm.iso");
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> cluster.outcomes().containsKey("post-warm"));
            for (int i = 0; i < ids.size(); i++) {
                cluster.send(ids.get(i), "vps_post" + i, fileOf(ids.get(i)));
            }
            // Queued at receipt (the simulator counts answered calls only when the answer goes out, 3 s later).
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                    ids.stream().allMatch(id -> cluster.sim.downloadsStarted(vpsOf(id), fileOf(id)) == 1));
            assertThat(ids).as("SIGTERM must come while the answers are still on their way")
                    .allMatch(id -> cluster.sim.count(vpsOf(id), Endpoint.FROM_URL) == 0);
            Thread.sleep(500);
            Instant term = Instant.now();
            first.close(); // SIGTERM while every answer is still on its way
            Duration leaving = Duration.between(term, Instant.now());
            assertThat(leaving).as("time to leave after SIGTERM").isLessThan(Duration.ofSeconds(25));

            WorkerProcess second = cluster.startWorker();
            cluster.assertExactlyOneCompletedOutcomeEach(ids, GracefulShutdownIT::vpsOf, Duration.ofSeconds(90));
            assertThat(ProcessCluster.logLines(second, "resuming: polling")).as("jobs resumed as submitted").isEqualTo(6);
            System.out.printf("[measured] SIGTERM to exit with 6 from-url answers on the wire (answered 8 s after the call): %d ms%n", leaving.toMillis());
        }
    }

    private static String vpsOf(String requestId) {
        return "vps_" + requestId.replace("-", "");
    }

    private static String fileOf(String requestId) {
        return "image-" + requestId.substring(requestId.indexOf('-') + 1) + ".iso";
    }
}
