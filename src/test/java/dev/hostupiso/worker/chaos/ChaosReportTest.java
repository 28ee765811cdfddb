package dev.hostupiso.worker.chaos;

import dev.hostupiso.worker.simulator.Fault;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The soak's plan follows its seed, and its report names every broken invariant. */
class ChaosReportTest {

    @Test
    void theSeedFixesThePlan() {
        ChaosConfig c = ChaosConfig.soak(7);
        List<ChaosSoak.Step> plan = ChaosSoak.plan(c, new Random(7));
        assertThat(ChaosSoak.plan(c, new Random(7))).isEqualTo(plan);
        assertThat(ChaosSoak.plan(c, new Random(8))).isNotEqualTo(plan);
        assertThat(plan).filteredOn(s -> s.what() == Disruption.BROKER_RESTART).hasSize(1);
        assertThat(plan).extracting(ChaosSoak.Step::what).contains(Disruption.KILL, Disruption.TERM, Disruption.STOP_CONT,
                Disruption.PARTITION_BROKER, Disruption.PARTITION_HOSTUP, Disruption.PARTITION_BOTH);
        assertThat(plan).allMatch(s -> s.at().compareTo(c.duration()) < 0);
    }

    @Test
    void reportNamesDuplicatesLostAndSecondDownloads() throws Exception {
        Map<String, Integer> perId = new LinkedHashMap<>();
        perId.put("r-0", 1);
        perId.put("r-1", 0);
        perId.put("r-2", 2);
        ChaosConfig c = new ChaosConfig(1, 3, 3, Duration.ofSeconds(10), Duration.ofSeconds(5), false,
                Duration.ZERO, Duration.ofSeconds(1), ChaosConfig.DEFAULT_FAULTS, Duration.ofSeconds(3),
                Duration.ofSeconds(6), Duration.ofSeconds(10), ChaosConfig.SIGNALS, 10, Duration.ofSeconds(25),
                Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30));
        ChaosReport bad = new ChaosReport(c, Instant.now(), Duration.ofSeconds(12), 3, perId,
                Map.of("completed", 3L), 1, Map.of("vps_a/r-2.iso", 2L), Map.of(Fault.RESET, 4L), List.of("t+3s kill"), 4,
                ChaosCounts.of(List.of(), List.of(), List.of(), Map.of(), Map.of()), 7, 0);
        assertThat(bad.clean()).isFalse();
        assertThat(bad.lost()).containsExactly("r-1");
        assertThat(bad.duplicates()).containsExactly(Map.entry("r-2", 2));
        assertThat(bad.summary()).contains("FAILED", "r-1", "r-2", "vps_a/r-2.iso");
        assertThat(bad.markdown()).contains("FAILED", "nproc", "second downloads (simulator count) | 1",
                "answered with a size: 7");

        perId.put("r-1", 1);
        perId.put("r-2", 1);
        ChaosReport good = new ChaosReport(c, Instant.now(), Duration.ofSeconds(12), 3, perId, Map.of("completed", 3L),
                0, Map.of(), Map.of(), List.of(), 3, ChaosCounts.of(List.of(), List.of(), List.of(), Map.of(), Map.of()),
                3, 0);
        assertThat(good.clean()).isTrue();
        assertThat(good.summary()).contains("PASSED");
    }

    private static org.apache.kafka.clients.consumer.ConsumerRecord<String, String> event(String key, String id,
                                                                                         String status, String ceId) {
        var r = new org.apache.kafka.clients.consumer.ConsumerRecord<>("events", 0, 0L, key,
                "{\"requestId\":\"" + id + "\",\"status\":\"" + status + "\"}");
        r.headers().add("ce_id", ceId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return r;
    }

    private static org.apache.kafka.clients.consumer.ConsumerRecord<String, String> ledger(String id, String state) {
        return new org.apache.kafka.clients.consumer.ConsumerRecord<>("ledger", 0, 0L, id, "{\"state\":\"" + state + "\"}");
    }

    @Test
    void countsNameEveryWayThePromiseBreaks() {
        ChaosCounts counts = ChaosCounts.of(List.of("a", "b", "c", "d"),
                List.of(event("a", "a", "completed", "ce-1"), event("a", "a", "failed", "ce-2"),
                        event("b", "b", "completed", "ce-3"), event("b", "b", "completed", "ce-3"),
                        event("c", "c", "completed", "ce-4")),
                List.of(ledger("c", "RECEIVED"), ledger("c", "COMPLETED"), ledger("c", "SUBMITTING"),
                        ledger("b", "RECEIVED"), ledger("b", "COMPLETED")),
                Map.of("v/a.iso", 1L, "v/b.iso", 3L), Map.of("v/a.iso", 1L, "v/b.iso", 2L));

        assertThat(counts.extraByKey()).isEqualTo(2);
        assertThat(counts.extraByBody()).isEqualTo(2);
        assertThat(counts.extraByCeId()).as("a got two different outcomes").isEqualTo(1);
        assertThat(counts.repeatedCeIds()).as("b's outcome published twice").isEqualTo(1);
        assertThat(counts.contradictions()).isEqualTo(1);
        assertThat(counts.lost()).isEqualTo(1);
        assertThat(counts.stateRegressions()).isEqualTo(1);
        assertThat(counts.secondDownloads()).isEqualTo(1);
        assertThat(counts.maxFromUrlPerFile()).isEqualTo(3);
        assertThat(counts.clean()).isFalse();
        assertThat(counts.examples()).containsEntry("ledger state regression", java.util.Set.of("c"))
                .containsEntry("lost", java.util.Set.of("d"));
    }
}
