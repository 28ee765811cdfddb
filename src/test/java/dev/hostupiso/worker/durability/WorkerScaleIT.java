package dev.hostupiso.worker.durability;

import dev.hostupiso.worker.demo.WorkerProcess;
import dev.hostupiso.worker.simulator.Endpoint;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three worker processes in one consumer group share 300 requests with jobs of varied length; one
 * is killed mid-run and another started. Every request ends with exactly one outcome, exactly one
 * from-url call each, and the work was spread across the instances.
 */
class WorkerScaleIT {

    @Test
    void threeInstancesShareTheWorkAndSurviveLosingOne() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster("scale", 6, false)) {
            List<WorkerProcess> workers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                workers.add(cluster.startWorker());
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String vps = "vps_scale" + i;
                cluster.sim.vps(vps).jobDuration(Duration.ofMillis(500 + (i % 10) * 700L));
                ids.add("scale-" + i);
                cluster.send("scale-" + i, vps, "image-" + i + ".iso");
            }
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.outcomes().size() >= 60);
            workers.get(0).kill();
            workers.add(cluster.startWorker());

            Awaitility.await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500))
                    .until(() -> cluster.outcomes().keySet().containsAll(ids));
            Thread.sleep(3000);
            Map<String, List<ConsumerRecord<String, String>>> outcomes = cluster.outcomes();
            for (String id : ids) {
                assertThat(outcomes.get(id)).as("outcomes of %s", id).hasSize(1);
                assertThat(ProcessCluster.status(outcomes.get(id).get(0))).isEqualTo("completed");
            }
            for (int i = 0; i < 300; i++) {
                assertThat(cluster.sim.count("vps_scale" + i, Endpoint.FROM_URL)).as("from-url calls for request %d", i).isEqualTo(1);
            }
            long busy = 0;
            for (WorkerProcess w : workers) {
                if (ProcessCluster.logLines(w, " completed: isoId=") > 0) {
                    busy++;
                }
            }
            assertThat(busy).as("instances that completed requests").isGreaterThanOrEqualTo(3);
        }
    }
}
