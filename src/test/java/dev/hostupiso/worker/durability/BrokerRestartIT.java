package dev.hostupiso.worker.durability;

import dev.hostupiso.worker.testsupport.WorkerLogsOnFailure;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.hostupiso.worker.simulator.Endpoint;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;


/**
 * The Kafka broker restarts while jobs run: the worker's consumer, ledger writes and outcome
 * transactions all ride it out. Nothing is lost, nothing is downloaded twice, one outcome each.
 */
@ExtendWith(WorkerLogsOnFailure.class)
class BrokerRestartIT {

    @Test
    void brokerRestartMidRunLosesNothing() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster("broker-restart", 3, true)) {
            cluster.startWorker();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                cluster.sim.vps("vps_br" + i).jobDuration(Duration.ofMillis(3000 + 300L * i));
                ids.add("br-" + i);
                cluster.send("br-" + i, "vps_br" + i, "image-" + i + ".iso");
            }
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> ids.stream().allMatch(id -> cluster.sim.count("vps_br" + id.substring(3), Endpoint.FROM_URL) > 0));
            cluster.brokerProcess.stop();
            Thread.sleep(8000); // jobs finish on HostUp's side while Kafka is away
            cluster.brokerProcess.restart();
            for (int i = 20; i < 30; i++) {
                cluster.sim.vps("vps_br" + i).jobDuration(Duration.ofSeconds(1));
                ids.add("br-" + i);
                cluster.send("br-" + i, "vps_br" + i, "image-" + i + ".iso");
            }
            cluster.assertExactlyOneCompletedOutcomeEach(ids, id -> "vps_br" + id.substring(3), Duration.ofSeconds(180));
        }
    }
}
