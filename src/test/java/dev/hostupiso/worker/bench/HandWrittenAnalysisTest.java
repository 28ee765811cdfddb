package dev.hostupiso.worker.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bench/run rewrites bench/results.md; the hand-written analysis in it comes back unchanged when the run measured the
 * commit it was written for, and is dropped otherwise.
 */
class HandWrittenAnalysisTest {

    @Test
    void theCommittedResultsSayWhichCommitTheyMeasured() throws Exception {
        String results = java.nio.file.Files.readString(Path.of("bench", "results.md"));
        assertThat(HandWrittenAnalysis.commitOf(results)).isNotBlank();
        String analysis = HandWrittenAnalysis.of(results);
        if (analysis != null) {
            assertThat(analysis).startsWith(HandWrittenAnalysis.HEADING)
                    .doesNotContain("## Reproduce", "## Machine", "# Benchmark results");
        }
    }

    @Test
    void anAnalysisIsKeptOnlyByARunOfTheCommitItWasWrittenFor() {
        String analysis = HandWrittenAnalysis.HEADING + "\n\n- the rows of this commit are superseded by another file\n";
        String file = "# Benchmark results\n\nCommit measured: `" + "a".repeat(40) + "`.\n\n| a |\n\n" + analysis
                + HandWrittenAnalysis.GENERATED_AFTER + "\nknobs\n";
        assertThat(HandWrittenAnalysis.keptFor(file, "`" + "a".repeat(40) + "`")).isEqualTo(analysis.strip());
        assertThat(HandWrittenAnalysis.keptFor(file, "`" + "b".repeat(40) + "`")).as("a run of another commit").isNull();
        assertThat(HandWrittenAnalysis.keptFor(file, "`" + "a".repeat(40) + "` plus uncommitted changes to src/ or pom.xml"))
                .as("the same commit with other sources").isNull();
    }

    @Test
    void aRegeneratedFileKeepsTheAnalysisExactly() {
        String analysis = HandWrittenAnalysis.HEADING + " (hand-written)\n\n### 1. Throughput\n\n- a finding\n";
        String first = "# Benchmark results\n\n| a | b |\n\n## 1. Throughput\n\n- figures\n\n" + analysis
                + "\n## Reproduce\n\n```sh\nbench/run\n```\n";
        String kept = HandWrittenAnalysis.of(first);
        assertThat(kept).isEqualTo(analysis.strip());
        String second = "# Benchmark results\n\n| other figures |\n\n" + kept + "\n" + HandWrittenAnalysis.GENERATED_AFTER + "\nknobs\n";
        assertThat(HandWrittenAnalysis.of(second)).isEqualTo(kept);
    }

    @Test
    void aFileWithoutAnalysisHasNone() {
        assertThat(HandWrittenAnalysis.of("# Benchmark results\n\n## Reproduce\n")).isNull();
    }
}
