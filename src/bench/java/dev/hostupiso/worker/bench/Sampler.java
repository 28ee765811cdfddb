package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.localstack.WorkerProcess;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Samples the worker: /q/metrics, /proc, and the simulator's call count. */
final class Sampler {
    static final int T = 0;
    static final int IN_FLIGHT = 1;
    static final int HEAP = 2;
    static final int HEAP_COMMITTED = 3;
    static final int RSS = 4;
    static final int THREADS = 5;
    static final int GC_N = 6;
    static final int GC_S = 7;
    static final int CPU = 8;
    static final int CALLS = 9;
    private final WorkerProcess w;
    private final SimControl sim;
    private final long t0;
    double[] prev;

    Sampler(WorkerProcess w, long t0, SimControl sim) {
        this.w = w;
        this.sim = sim;
        this.t0 = t0;
    }

    double[] sample() throws Exception {
        String m = w.get("/q/metrics");
        double[] s = new double[10];
        s[T] = (System.nanoTime() - t0) / 1e9;
        s[IN_FLIGHT] = metric(m, "isoworker_jobs_in_flight", "");
        s[HEAP] = metric(m, "jvm_memory_used_bytes", "area=\"heap\"") / 1048576.0;
        s[HEAP_COMMITTED] = metric(m, "jvm_memory_committed_bytes", "area=\"heap\"") / 1048576.0;
        s[RSS] = Child.statusKiB(w.pid(), "VmRSS") / 1024.0;
        s[THREADS] = metric(m, "jvm_threads_live_threads", "");
        s[GC_N] = metric(m, "jvm_gc_pause_seconds_count", "");
        s[GC_S] = metric(m, "jvm_gc_pause_seconds_sum", "");
        s[CPU] = Child.cpuNanos(w.pid()) / 1e9;
        s[CALLS] = sim.total();
        return s;
    }

    String csv(double[] s, String phase) {
        return String.format(Locale.ROOT, "%.1f,%s,%.0f,%.1f,%.1f,%.1f,%.0f,%.0f,%.3f,%.2f,%.0f", s[T], phase,
                s[IN_FLIGHT], s[HEAP], s[HEAP_COMMITTED], s[RSS], s[THREADS], s[GC_N], s[GC_S], s[CPU], s[CALLS]);
    }

    /** "name × count" of a {@code jcmd Thread.print}, most frequent first. */
    static String threadSummary(String dump) {
        Map<String, Integer> n = new HashMap<>();
        for (String line : dump.split("\n")) {
            if (line.startsWith("\"")) {
                String name = line.substring(1, line.indexOf('"', 1)).replaceAll("\\d+", "N");
                n.merge(name, 1, Integer::sum);
            }
        }
        return String.join(", ", n.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> "`" + e.getKey() + "` × " + e.getValue()).toList());
    }

    /** Sum of the samples of {@code name} whose labels contain {@code labelPart}. */
    static double metric(String text, String name, String labelPart) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name) && line.length() > name.length()
                    && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ')
                    && line.contains(labelPart)) {
                String v = line.substring(line.lastIndexOf(' ') + 1);
                try {
                    sum += Double.parseDouble(v);
                } catch (NumberFormatException ignored) {
                    // NaN gauges and the like
                }
            }
        }
        return sum;
    }
}
