package dev.hostupiso.worker.chaos;

import dev.hostupiso.worker.testsupport.WorkerLogsOnFailure;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.hostupiso.worker.localstack.WorkerProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos soak in short (~1 minute of disruptions, 80 requests): every request ends with exactly one committed
 * outcome, no file is downloaded twice, nothing is lost, through kill -9, SIGTERM, SIGSTOP past the session timeout
 * and a broker restart, with random HostUp faults. Free ports only. {@code -Dchaos.seed=N} replays a seed.
 */
@ExtendWith(WorkerLogsOnFailure.class)
class ChaosIT {

    @Test
    void exactlyOneOutcomeNoSecondDownloadNothingLost() throws Exception {
        long seed = Long.getLong("chaos.seed", 20261127L);
        Path dir = Path.of("target", "it", "chaos", "seed-" + seed + "-" + System.currentTimeMillis());
        ChaosReport report = new ChaosSoak(ChaosConfig.quick(seed), dir, WorkerProcess.packagedJar(Path.of("target")),
                System.out::println).run();
        Files.writeString(dir.resolve("chaos.md"), report.markdown());
        System.out.println(report.summary());

        assertThat(report.sent()).as(report.summary()).isEqualTo(report.config().requests());
        assertThat(report.duplicates()).as(report.summary()).isEmpty();
        assertThat(report.lost()).as(report.summary()).isEmpty();
        assertThat(report.secondDownloads()).as(report.summary()).isZero();
        // Every request's URL was looked at by the preflight (its size known), and nothing unknown was asked for.
        assertThat(report.originHeads()).as(report.summary()).isGreaterThanOrEqualTo(report.config().requests());
        assertThat(report.originRefused()).as(report.summary()).isZero();
    }
}
