package dev.hostupiso.worker.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** bench/run rewrites bench/results.md; the hand-written analysis in it must come back unchanged. */
class HandWrittenAnalysisTest {

    @Test
    void theCommittedResultsCarryTheAnalysisBetweenTheGeneratedParts() throws Exception {
        String analysis = HandWrittenAnalysis.read(Path.of("bench", "results.md"));
        assertThat(analysis).startsWith(HandWrittenAnalysis.HEADING)
                .contains("### Where things stand")
                .doesNotContain("## Reproduce", "## Machine", "# Benchmark results");
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
