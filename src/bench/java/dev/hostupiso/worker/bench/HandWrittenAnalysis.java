package dev.hostupiso.worker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hand-written part of {@code bench/results.md}: from the "Analysis of the misses" heading to the generated
 * "Reproduce" section. {@code bench/run} regenerates everything else and puts this part back unchanged when it measured
 * the same commit as the file it replaces, so the analysis lives in one file next to the figures it explains. A run of
 * another commit drops it: an analysis explains the figures it was written from, and the new run's own misses are
 * listed by the generated "Misses in this run" section until someone writes one for them.
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

    /** The line that names the commit a results file measured. */
    static final String COMMIT_LINE = "Commit measured: ";

    /** {@link #of(String)} of the file, or null when it does not exist yet. */
    static String read(Path results) throws IOException {
        return Files.exists(results) ? of(Files.readString(results)) : null;
    }

    /** The commit a results file's text says it measured (as written, in backquotes), or null. */
    static String commitOf(String results) {
        for (String line : results.split("\n")) {
            if (line.startsWith(COMMIT_LINE)) {
                return line.substring(COMMIT_LINE.length()).replaceAll("\\.$", "").strip();
            }
        }
        return null;
    }

    /** The hand-written part of {@code results}'s text when it measured {@code commit} (as {@link ResultsWriter#commit()} writes it); else null. */
    static String keptFor(String results, String commit) {
        return commit.equals(commitOf(results)) ? of(results) : null;
    }

    /** {@link #keptFor(String, String)} of the file; null when it does not exist. */
    static String keptFor(Path results, String commit) throws IOException {
        return Files.exists(results) ? keptFor(Files.readString(results), commit) : null;
    }
}
