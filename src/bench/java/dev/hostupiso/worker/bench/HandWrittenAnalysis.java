package dev.hostupiso.worker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hand-written part of {@code bench/results.md}: from the "Analysis of the misses" heading to the generated
 * "Reproduce" section. {@code bench/run} regenerates everything else and puts this part back unchanged, so the
 * analysis lives in one file next to the figures it explains.
 */
final class HandWrittenAnalysis {

    static final String HEADING = "## Analysis of the misses";
    /** The first section {@link BenchMain} writes after the analysis. */
    static final String GENERATED_AFTER = "\n## Reproduce\n";

    private HandWrittenAnalysis() {
    }

    /** The hand-written part of a results file's text, or null when it has none. */
    static String of(String results) {
        int start = results.startsWith(HEADING) ? 0 : results.indexOf("\n" + HEADING);
        if (start < 0) {
            return null;
        }
        int end = results.lastIndexOf(GENERATED_AFTER);
        String part = end > start ? results.substring(start, end) : results.substring(start);
        return part.strip();
    }

    /** {@link #of(String)} of the file, or null when it does not exist yet. */
    static String read(Path results) throws IOException {
        return Files.exists(results) ? of(Files.readString(results)) : null;
    }
}
