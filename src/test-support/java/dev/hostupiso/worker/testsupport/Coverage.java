package dev.hostupiso.worker.testsupport;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage statistics for a property, which QuickTheories lacks: the property's body counts what kind of
 * input it saw under a label, and afterwards the test requires each kind to have made up a share of the
 * inputs, so that a generator that drifts (say, to only invalid requests) fails the test instead of
 * silently testing less. The counts are printed, one line a label.
 */
public final class Coverage {

    private final String property;
    private final Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
    private int inputs;

    public Coverage(String property) {
        this.property = property;
    }

    /**
     * Counts one input the property ran on (QuickTheories skips an input whose random draws repeat an
     * earlier one, so a property runs on up to, not exactly, the number of examples asked for).
     */
    public synchronized void count() {
        inputs++;
    }

    /** Counts one input as {@code value} under {@code label}. */
    public synchronized void collect(String label, Object value) {
        counts.computeIfAbsent(label, l -> new TreeMap<>()).merge(String.valueOf(value), 1, Integer::sum);
    }

    /** Requires {@code value} to have made up more than {@code minPercent} of the inputs counted under {@code label}. */
    public synchronized Coverage requireMoreThan(String label, Object value, double minPercent) {
        Map<String, Integer> byValue = counts.getOrDefault(label, Map.of());
        int total = byValue.values().stream().mapToInt(Integer::intValue).sum();
        int seen = byValue.getOrDefault(String.valueOf(value), 0);
        double percent = total == 0 ? 0 : 100.0 * seen / total;
        assertThat(percent).as("%s: share of %s = %s among %d inputs (%s)", property, label, value, total, byValue)
                .isGreaterThan(minPercent);
        return this;
    }

    /** Prints the counts, as percentages of each label's inputs. */
    public synchronized Coverage print() {
        System.out.println(property + ": " + inputs + " inputs");
        counts.forEach((label, byValue) -> {
            int total = byValue.values().stream().mapToInt(Integer::intValue).sum();
            StringBuilder line = new StringBuilder(property).append(" [").append(label).append("] ").append(total).append(" inputs:");
            byValue.forEach((v, n) -> line.append(String.format(" %s %.1f%%", v, 100.0 * n / total)));
            System.out.println(line);
        });
        return this;
    }
}
