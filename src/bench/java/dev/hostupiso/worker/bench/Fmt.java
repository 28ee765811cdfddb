package dev.hostupiso.worker.bench;

import java.util.List;
import java.util.Locale;

/** Number formats of the results file. */
final class Fmt {

    private Fmt() {
    }

    static String f0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f %%", v * 100);
    }

    static String fmtList(List<Double> v) {
        return String.join(", ", v.stream().map(Fmt::f0).toList());
    }
}
