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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-flight cap is backpressure: with {@code ISO_MAX_IN_FLIGHT=3} the worker starts three jobs,
 * pauses intake (the rest wait in Kafka, not in memory), and takes the next request only when a
 * job finishes. Nothing is dropped.
 */
@ExtendWith(WorkerLogsOnFailure.class)
class BackpressureIT {

    @Test
    void inFlightCapPausesIntakeUntilAJobFinishes() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster("backpressure", 3, false)) {
            WorkerProcess worker = cluster.launchWorker(Map.of("ISO_MAX_IN_FLIGHT", "3"));
            worker.awaitReady(Duration.ofSeconds(90));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                cluster.sim.vps("vps_bp" + i).jobDuration(Duration.ofSeconds(4));
                ids.add("bp-" + i);
                cluster.send("bp-" + i, "vps_bp" + i, "image-" + i + ".iso");
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> submitted(cluster) == 3);
            Thread.sleep(2000); // jobs still running: no fourth request may start
            assertThat(submitted(cluster)).isEqualTo(3);
            String metrics = worker.get("/q/metrics");
            assertThat(metrics).contains("isoworker_jobs_in_flight 3.0").contains("isoworker_intake_paused 1.0");

            cluster.assertExactlyOneCompletedOutcomeEach(ids, id -> "vps_bp" + id.substring(3), Duration.ofSeconds(90));
            assertThat(worker.get("/q/metrics")).contains("isoworker_jobs_in_flight 0.0");
        }
    }

    private static long submitted(ProcessCluster cluster) {
        long n = 0;
        for (int i = 0; i < 9; i++) {
            n += cluster.sim.count("vps_bp" + i, Endpoint.FROM_URL);
        }
        return n;
    }
}
