package dev.hostupiso.worker.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** The few statistics the scenarios report: rates, histograms, percentiles, distributions. */
final class Stats {

    private Stats() {
    }

    /** Sustained rate: the middle 80 % of arrivals (drops ramp-up and tail). */
    static double sustainedRate(long[] sortedNanos) {
        int n = sortedNanos.length;
        if (n < 10) {
            return Double.NaN;
        }
        int a = n / 10;
        int b = n - 1 - n / 10;
        return (b - a) / ((sortedNanos[b] - sortedNanos[a]) / 1e9);
    }

    /** The most calls in any window of {@code spanMicros} (sliding, not aligned), of call times in microseconds. */
    static int peak(long[] sortedMicros, long spanMicros) {
        int peak = 0;
        for (int a = 0, b = 0; b < sortedMicros.length; b++) {
            while (sortedMicros[b] - sortedMicros[a] >= spanMicros) {
                a++;
            }
            peak = Math.max(peak, b - a + 1);
        }
        return peak;
    }

    static List<double[]> histogram(long[] offsetsNanos, double bucketNanos) {
        TreeMap<Long, Integer> b = new TreeMap<>();
        for (long t : offsetsNanos) {
            b.merge((long) (t / bucketNanos), 1, Integer::sum);
        }
        List<double[]> pts = new ArrayList<>();
        if (b.isEmpty()) {
            return pts;
        }
        for (long k = b.firstKey(); k <= b.lastKey(); k++) {
            pts.add(new double[] {k * bucketNanos / 1e9, b.getOrDefault(k, 0) * (1e9 / bucketNanos)});
        }
        return pts;
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int idx = (int) Math.ceil(p / 100.0 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, idx))];
    }

    static List<double[]> cdf(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            pts.add(new double[] {v[i], 100.0 * (i + 1) / v.length});
        }
        return pts;
    }
}
