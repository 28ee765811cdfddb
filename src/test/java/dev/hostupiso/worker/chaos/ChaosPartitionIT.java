package dev.hostupiso.worker.chaos;

import dev.hostupiso.worker.localstack.WorkerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A network partition in short: one of two workers is cut off from the broker and from HostUp by silent packet loss
 * (its own network namespace, every packet dropped on both ends) for longer than the session and transaction
 * timeouts while requests keep coming, then healed. Every count must be zero: duplicates (by key, body and ce_id),
 * contradictions, second downloads, lost requests, ledger state regressions. Needs root and iproute2 (network
 * namespaces, veth, tc clsact/bpf); skipped, with the reason, where they are not usable. {@code -Dchaos.seed=N}
 * replays a seed.
 */
class ChaosPartitionIT {

    @Test
    void aWorkerCutOffByPacketLossNeitherDuplicatesNorLosesNorRegressesAnything() throws Exception {
        var unusable = NetworkPartitions.unusable();
        Assumptions.assumeTrue(unusable.isEmpty(), () -> "network namespaces not usable here: " + unusable.orElse(""));
        long seed = Long.getLong("chaos.seed", 20261207L);
        Path dir = Path.of("target", "it", "chaos-partition", "seed-" + seed + "-" + System.currentTimeMillis());
        ChaosReport report = new ChaosSoak(ChaosConfig.partition(seed), dir, WorkerProcess.packagedJar(Path.of("target")),
                System.out::println).run();
        Files.writeString(dir.resolve("chaos.md"), report.markdown());
        System.out.println(report.summary());

        assertThat(report.disruptions()).as(report.summary()).anyMatch(d -> d.contains("cut off from [broker, hostup]"));
        assertThat(report.sent()).as(report.summary()).isEqualTo(report.config().requests());
        assertThat(report.counts().clean()).as(report.summary()).isTrue();
        assertThat(report.duplicates()).as(report.summary()).isEmpty();
        assertThat(report.lost()).as(report.summary()).isEmpty();
        assertThat(report.secondDownloads()).as(report.summary()).isZero();
        // Every request's URL was looked at by the preflight (its size known), and nothing unknown was asked for.
        assertThat(report.originHeads()).as(report.summary()).isGreaterThanOrEqualTo(report.config().requests());
        assertThat(report.originRefused()).as(report.summary()).isZero();
    }
}
