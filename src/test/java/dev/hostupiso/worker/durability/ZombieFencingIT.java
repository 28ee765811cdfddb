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
 * A paused instance (a long GC pause, SIGSTOP, a network partition) whose partitions moved on
 * while it slept must not publish anything when it wakes: the new owner fenced its producer when
 * it took the partitions over. Exactly one outcome per request, one from-url per request.
 */
@ExtendWith(WorkerLogsOnFailure.class)
class ZombieFencingIT {

    @Test
    void aPausedInstanceThatWakesUpAfterItsPartitionsMovedPublishesNothing() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster("zombie", 3, false)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                cluster.sim.vps("vps_zombie" + i).jobDuration(Duration.ofSeconds(8));
                ids.add("zombie-" + i);
            }
            WorkerProcess zombie = cluster.startWorker();
            for (int i = 0; i < ids.size(); i++) {
                cluster.send(ids.get(i), "vps_zombie" + i, "image-" + i + ".iso");
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                    ids.stream().allMatch(id -> cluster.sim.count(vpsOf(id), Endpoint.FROM_URL) == 1));

            signal("STOP", zombie);
            try {
                cluster.startWorker(); // takes every partition once the paused one's session times out
                Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> cluster.outcomes().keySet().containsAll(ids));
            } finally {
                signal("CONT", zombie);
            }
            // Awake: its overdue timers fire, its polls see the jobs completed, and it tries to publish.
            Thread.sleep(15_000);
            cluster.assertExactlyOneCompletedOutcomeEach(ids, ZombieFencingIT::vpsOf, Duration.ofSeconds(10));
            assertThat(zombie.isAlive()).as("a fenced instance keeps running: it lost partitions, it is not broken").isTrue();
            System.out.printf("[measured] zombie after waking: %d fenced-writer line(s), %d lost-partition line(s)%n",
                    ProcessCluster.logLines(zombie, "producer fenced"), ProcessCluster.logLines(zombie, "taken over"));
        }
    }

    private static void signal(String signal, WorkerProcess w) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(w.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s", signal).isZero();
    }

    private static String vpsOf(String requestId) {
        return "vps_" + requestId.replace("-", "");
    }
}
