package dev.hostupiso.worker.durability;

import dev.hostupiso.worker.testsupport.WorkerLogsOnFailure;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.hostupiso.worker.localstack.WorkerProcess;
import dev.hostupiso.worker.localstack.EmbeddedKafka;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The worker sets up its topics on a bare broker, and refuses to start when it would run wrongly. */
@ExtendWith(WorkerLogsOnFailure.class)
class StartupChecksIT {

    @Test
    void createsItsTopicsOnABareBrokerWithACompactedCoPartitionedLedger() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster("startup-bare", 3, false);
             EmbeddedKafka bare = EmbeddedKafka.start(java.nio.file.Path.of("target", "it", "startup-bare", "bare-kafka"))) {
            WorkerProcess worker = cluster.launchWorker(Map.of("KAFKA_BOOTSTRAP_SERVERS", bare.bootstrapServers(),
                    "ISO_TOPICS_PARTITIONS", "4", "HOSTUP_ACCOUNTS_TEAM_A_TOPICS", "team-a-requests",
                    "HOSTUP_ACCOUNTS_TEAM_A_EVENTS_TOPIC", "team-a-events", "HOSTUP_ACCOUNTS_TEAM_A_TOKEN", "team-a-key"));
            worker.awaitReady(Duration.ofSeconds(90));
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.of("bootstrap.servers", bare.bootstrapServers()))) {
                var topics = admin.describeTopics(java.util.List.of("iso-download-requests", "iso-download-jobs",
                        "iso-download-events", "iso-download-requests-dlq", "team-a-requests", "team-a-events"))
                        .allTopicNames().get();
                assertThat(topics.values()).allSatisfy(t -> assertThat(t.partitions()).hasSize(4));
                var ledger = new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "iso-download-jobs");
                assertThat(admin.describeConfigs(java.util.List.of(ledger)).all().get().get(ledger)
                        .get("cleanup.policy").value()).isEqualTo("compact");
            }
        }
    }

    @Test
    void refusesToStartWithSettingsThatCannotWorkNamingEachOne() throws Exception {
        try (ProcessCluster cluster = new ProcessCluster("startup-settings", 3, false)) {
            WorkerProcess worker = cluster.launchWorker(Map.of("ISO_MAX_IN_FLIGHT", "0", "ISO_SUBMIT_MAX_ATTEMPTS", "0",
                    "ISO_HAND_OVER_GRACE", "40s", "QUARKUS_SHUTDOWN_TIMEOUT", "30s"));
            assertThatThrownBy(() -> worker.awaitReady(Duration.ofSeconds(90))).hasMessageContaining("exited");
            assertThat(Files.readString(worker.log())).contains("Invalid settings, refusing to start")
                    .contains("ISO_MAX_IN_FLIGHT is 0").contains("ISO_SUBMIT_MAX_ATTEMPTS is 0")
                    .contains("ISO_HAND_OVER_GRACE (PT40S) must be shorter than the shutdown timeout");
        }
    }

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
