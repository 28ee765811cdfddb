package dev.hostupiso.worker.testsupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerLogsOnFailureTest {

    @TempDir
    Path root;

    @Test
    void aFailureCarriesTheTailOfEachLogWrittenDuringTheTest() throws IOException {
        Path worker = Files.createDirectories(root.resolve("crash")).resolve("worker-1.log");
        Files.writeString(worker, IntStream.rangeClosed(1, 200).mapToObj(i -> "line " + i).collect(Collectors.joining("\n")));
        Path old = root.resolve("old.log");
        Files.writeString(old, "from an earlier test");
        Files.setLastModifiedTime(old, FileTime.fromMillis(1_000));

        WorkerLogsOnFailure logs = new WorkerLogsOnFailure(root);
        String tails = logs.tails(10_000);

        assertThat(tails).contains(worker.toString(), "line 200", "line 121").doesNotContain("line 120\n", "earlier test");
        AssertionError failed = new AssertionError("expected 1 outcome");
        assertThat(logs.withLogs(failed, 10_000)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected 1 outcome").hasMessageContaining("line 200").hasCause(failed);
    }

    @Test
    void withoutLogsTheFailureIsRethrownUnchanged() {
        AssertionError failed = new AssertionError("x");
        assertThat(new WorkerLogsOnFailure(root.resolve("none")).withLogs(failed, 0)).isSameAs(failed);
    }
}
