package dev.hostupiso.worker.durability;

import dev.hostupiso.worker.demo.WorkerProcess;
import dev.hostupiso.worker.testsupport.EmbeddedKafka;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The worker refuses to start, with a clear message, when it would run wrongly. */
class StartupChecksIT {

    @Test
    void refusesToStartWithoutATokenOrWithALedgerNotCoPartitioned() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster("startup-checks", 3, false)) {
            WorkerProcess noToken = cluster.launchWorker(Map.of("HOSTUP_API_TOKEN", ""));
            assertThatThrownBy(() -> noToken.awaitReady(Duration.ofSeconds(90))).hasMessageContaining("exited");
            assertThat(Files.readString(noToken.log())).contains("HOSTUP_API_TOKEN is not set");

            EmbeddedKafka.createTopics(cluster.bootstrapServers(), Map.of("wrong-ledger", 2));
            WorkerProcess misfit = cluster.launchWorker(Map.of("ISO_LEDGER_TOPIC", "wrong-ledger"));
            assertThatThrownBy(() -> misfit.awaitReady(Duration.ofSeconds(90))).hasMessageContaining("exited");
            assertThat(Files.readString(misfit.log()))
                    .contains("The job ledger topic 'wrong-ledger' has 2 partitions but the request topic 'iso-download-requests' has 3")
                    .contains("co-partitioned");
        }
    }
}
