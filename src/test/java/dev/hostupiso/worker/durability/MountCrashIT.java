package dev.hostupiso.worker.durability;

import dev.hostupiso.worker.localstack.WorkerProcess;
import dev.hostupiso.worker.simulator.Endpoint;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of the only worker while its mounts run as HostUp jobs (202 answers): the next instance resumes every
 * job from MOUNTING and polls the recorded mount job instead of mounting again. One outcome, one download and one
 * mount call per request, and every ISO ends up mounted on the asked drive.
 */
class MountCrashIT {

    /** Longer than a kill, the session timeout and a worker's start-up together: the mounts still run on resume. */
    private static final Duration MOUNT = Duration.ofSeconds(90);

    @Test
    void aWorkerKilledWhileMountingIsReplacedWithoutASecondMount() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster("mount-crash", 3, false)) {
            List<String> vpss = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String vps = "vps_mount" + i;
                cluster.sim.vps(vps).jobDuration(Duration.ofMillis(500)).mountDuration(MOUNT);
                vpss.add(vps);
                ids.add("mount-crash-" + i);
            }
            WorkerProcess first = cluster.startWorker();
            for (int i = 0; i < ids.size(); i++) {
                cluster.sendWithMount(ids.get(i), vpss.get(i), "image-" + i + ".iso", "ide2");
            }
            // Kill while every mount job runs: each request is in MOUNTING, none finished.
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> vpss.stream().allMatch(v -> cluster.sim.count(v, Endpoint.MOUNT) > 0));
            Thread.sleep(1000); // the 202s' mount jobs recorded
            assertThat(cluster.outcomes()).isEmpty();
            first.kill();

            WorkerProcess second = cluster.startWorker();
            cluster.assertExactlyOneCompletedOutcomeEach(ids, id -> vpss.get(ids.indexOf(id)), MOUNT.plusSeconds(90));
            for (String vps : vpss) {
                assertThat(cluster.sim.count(vps, Endpoint.MOUNT)).as("mount calls for %s", vps).isEqualTo(1);
                assertThat(cluster.sim.vps(vps).mounts()).as("mounts of %s", vps).containsKey("ide2").hasSize(1);
            }
            assertThat(ProcessCluster.logLines(second, "resuming the mount job")).isEqualTo(ids.size());
        }
    }
}
