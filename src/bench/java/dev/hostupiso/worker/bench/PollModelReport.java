package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.simulator.DownloadShape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.hostupiso.worker.bench.BenchEnv.say;
import static dev.hostupiso.worker.bench.Fmt.f0;
import static dev.hostupiso.worker.bench.Fmt.f1;
import static dev.hostupiso.worker.bench.Fmt.f2;

/** Scenario 6's model part, and the scenario's rows, tables and plot (the real run's figures passed in). */
final class PollModelReport {

    private final int jobs;
    private final List<Double> shares;
    private final long seed;
    /** Per share: per arm (the first is progress-aware) its outcomes. */
    private final Map<Double, Map<String, List<PollModel.Outcome>>> runs = new LinkedHashMap<>();
    private final Map<DownloadShape, Map<String, List<PollModel.Outcome>>> awkward = new LinkedHashMap<>();

    PollModelReport(int jobs, List<Double> shares, long seed) {
        this.jobs = jobs;
        this.shares = shares;
        this.seed = seed;
    }

    void run() {
        for (double share : shares) {
            PollWorkload w = PollWorkload.of(jobs, share, seed);
            Map<String, List<PollModel.Outcome>> byArm = new LinkedHashMap<>();
            PollArms.all().forEach(arm -> byArm.put(arm.name(), PollModel.run(arm, w, seed)));
            runs.put(share, byArm);
        }
        for (DownloadShape shape : PollWorkload.AWKWARD) {
            PollWorkload w = PollWorkload.of(Math.max(200, jobs / 5), 0, List.of(shape), seed);
            Map<String, List<PollModel.Outcome>> byArm = new LinkedHashMap<>();
            PollArms.all().forEach(arm -> byArm.put(arm.name(), PollModel.run(arm, w, seed)));
            awkward.put(shape, byArm);
        }
    }

    private static List<PollArms.Figures> figures(Map<String, List<PollModel.Outcome>> byArm) {
        List<PollArms.Figures> f = new ArrayList<>();
        byArm.forEach((arm, outcomes) -> f.add(PollArms.Figures.of(arm, outcomes)));
        return f;
    }

    void write(ResultsWriter results, Path out, Map<Double, List<PollArms.Figures>> real, int realJobs, int scale) throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("- Workload: downloads of 1–60 min, log-normal (median " + f0(PollWorkload.MEDIAN_MIN) + " min, σ "
                + PollWorkload.SIGMA + ", clipped to 1–60 min), seed " + seed + "; a share of them (" + shareList()
                + ") reports no usable progress (`jump`: 0 % until done), the others linear progress in whole percent; "
                + "every download is queued (0 %) for its first tenth, as on the simulator. The same jobs for every arm.");
        lines.add("- Arms, as the worker runs them: progress-aware (defaults: first poll 2 s, backoff cap 60 s, progress "
                + "cap 10 min); backoff only (`ISO_POLL_PROGRESS_AWARE=false`); fixed T (`ISO_POLL_INITIAL_DELAY` = "
                + "`ISO_POLL_MAX_DELAY` = T, not progress-aware: the first poll after T, then every T).");
        lines.add("- Calls per job: from-url, every poll, the ISO-list read. Lateness: from the download's end to the poll "
                + "that saw it done (model) or to the outcome at an independent consumer (real run), in real seconds.");
        lines.add("- Twins: each fixed T poller's own settings with progress awareness on (`ISO_POLL_INITIAL_DELAY` = "
                + "`ISO_POLL_MAX_DELAY` = T, `ISO_POLL_PROGRESS_AWARE` left at its default): what a user who picked T gets "
                + "from the worker. Progress-aware at the defaults is set against backoff only (the defaults it shares).");
        lines.add("- Dominance: fewer calls at no worse p99 lateness, or lower p99 lateness at no more calls. The verdict "
                + "column sets the arm's challenger (its twin, or the defaults) against it; the last column sets the "
                + "defaults against every arm.");
        lines.add("");
        modelTables(results, lines);
        realTables(lines, real, realJobs, scale);
        awkwardTable(lines);
        lines.add("- Plot: `bench/calls-per-job.png` (calls per job against p99 lateness, one point per arm).");
        results.section("6. Calls per job", String.join("\n", lines));
        plot(out, real);
    }

    private void modelTables(ResultsWriter results, List<String> lines) {
        lines.add("**Model** (" + jobs + " jobs per share and arm; the worker's `PollCourse`/`PollSchedule`/`RetryPolicy` in virtual "
                + "time, each arm with its own `ThroughputPrior` taught by the jobs it saw done, as the worker's is; answers "
                + "as the simulator gives them; lateness excludes the worker's own processing):");
        lines.add("");
        lines.add("| without progress | arm | calls/job | lateness p50 | p99 | its challenger against it | defaults against it |");
        lines.add("|---|---|---|---|---|---|---|");
        int won = 0;
        int compared = 0;
        for (double share : shares) {
            List<PollArms.Figures> f = figures(runs.get(share));
            PollArms.Figures aware = f.get(0);
            Map<String, PollArms.Figures> byName = new LinkedHashMap<>();
            f.forEach(x -> byName.put(x.arm(), x));
            for (PollArms.Figures x : f) {
                String verdict = PollArms.challenger(x.arm()).map(c -> c + ": " + PollArms.verdict(byName.get(c), x))
                        .orElse("—");
                if (PollArms.challenger(x.arm()).isPresent()) {
                    compared++;
                    won += byName.get(PollArms.challenger(x.arm()).get()).dominates(x) ? 1 : 0;
                }
                lines.add("| " + f0(share * 100) + " % | " + x.arm() + " | " + f2(x.calls()) + " | " + f1(x.p50()) + " s | "
                        + f1(x.p99()) + " s | " + verdict + " | " + (x == aware ? "—" : PollArms.verdict(aware, x)) + " |");
            }
            say("   model, " + f0(share * 100) + " % without progress: " + f.stream().map(x -> x.arm() + " " + f2(x.calls())
                    + " calls, p99 " + f1(x.p99()) + " s").toList());
        }
        lines.add("");
        results.row("6. Progress-aware (twin or defaults) dominates the arm (model; 5 arms × " + shares.size() + " shares)",
                won + " of " + compared,
                "all comparisons", won / (double) compared, "= 1.00", won == compared);
        targets(results, lines);
    }

    private void targets(ResultsWriter results, List<String> lines) {
        double[] linear = PollArms.linearTarget(runs.get(shares.get(0)).get("progress-aware"));
        results.row("6. Linear downloads: calls per job, progress-aware (model)", f2(linear[0]), "5 calls (fixed target)",
                linear[0] / 5, "≤ 1.00", linear[0] <= 5);
        results.row("6. Linear downloads: p99 of lateness ÷ (5 % of duration + 5 s) (model)", f2(linear[1]), "1 (target)",
                linear[1], "≤ 1.00", linear[1] <= 1);
        double share = shares.get(shares.size() - 1);
        double aware = jumpCalls(runs.get(share).get("progress-aware"));
        double backoff = jumpCalls(runs.get(share).get("backoff only"));
        results.row("6. Downloads without progress: calls per job, progress-aware vs backoff only (model)",
                f2(aware) + " vs " + f2(backoff), "backoff only", aware / backoff, "≤ 1.00", aware <= backoff);
        lines.add("- Linear downloads (progress-aware, model): " + f2(linear[0]) + " calls per job, p99 of lateness ÷ (5 % of "
                + "the duration + 5 s) " + f2(linear[1]) + ". Downloads without progress: " + f2(aware) + " calls per job "
                + "against " + f2(backoff) + " for backoff only.");
        lines.add("");
    }

    private static double jumpCalls(List<PollModel.Outcome> outcomes) {
        return outcomes.stream().filter(o -> o.shape() == DownloadShape.JUMP).mapToInt(PollModel.Outcome::calls).average()
                .orElse(Double.NaN);
    }

    private void realTables(List<String> lines, Map<Double, List<PollArms.Figures>> real, int realJobs, int scale) {
        if (real.isEmpty()) {
            lines.add("**Real run**: not run in this invocation (`BENCH_CALLS_JOBS=0`).");
            lines.add("");
            return;
        }
        lines.add("**Real run** (" + realJobs + " jobs per arm and share, one worker process per arm, all six at once, time ÷"
                + scale + "; lateness includes the worker's ISO-list read, publishing and the consumer, ×" + scale
                + " back to real time, so 10 ms of scaled overhead shows as " + f1(0.01 * scale) + " s):");
        lines.add("");
        lines.add("| without progress | arm | jobs | calls/job | lateness p50 | p99 | its challenger against it |");
        lines.add("|---|---|---|---|---|---|---|");
        real.forEach((share, f) -> {
            Map<String, PollArms.Figures> byName = new LinkedHashMap<>();
            f.forEach(x -> byName.put(x.arm(), x));
            for (PollArms.Figures x : f) {
                lines.add("| " + f0(share * 100) + " % | " + x.arm() + " | " + x.jobs() + " | " + f2(x.calls()) + " | "
                        + f1(x.p50()) + " s | " + f1(x.p99()) + " s | " + PollArms.challenger(x.arm())
                        .map(c -> c + ": " + PollArms.verdict(byName.get(c), x)).orElse("—") + " |");
            }
        });
        lines.add("");
    }

    private void awkwardTable(List<String> lines) {
        lines.add("**Awkward shapes** (model, " + Math.max(200, jobs / 5) + " jobs of each, same durations): progress that "
                + "misleads an extrapolation. Calls per job / p99 lateness:");
        lines.add("");
        lines.add("| shape | " + String.join(" | ", awkward.values().iterator().next().keySet()) + " |");
        lines.add("|---|" + "---|".repeat(awkward.values().iterator().next().size()));
        awkward.forEach((shape, byArm) -> lines.add("| " + shape.label() + " | " + String.join(" | ", figures(byArm).stream()
                .map(x -> f2(x.calls()) + " / " + f0(x.p99()) + " s").toList()) + " |"));
        lines.add("");
    }

    private void plot(Path out, Map<Double, List<PollArms.Figures>> real) throws Exception {
        List<Plot.Panel> panels = new ArrayList<>();
        for (double share : shares) {
            panels.add(points("Model, " + f0(share * 100) + " % without progress", figures(runs.get(share))));
        }
        real.forEach((share, f) -> panels.add(points("Real run, " + f0(share * 100) + " % without progress", f)));
        Plot.write(out.resolve("calls-per-job.png"), "6. Calls per job vs p99 lateness (real seconds), one point per arm",
                panels);
    }

    private static Plot.Panel points(String title, List<PollArms.Figures> figures) {
        Plot.Panel p = new Plot.Panel(title, "calls per job (mean)", "p99 lateness, s");
        figures.forEach(x -> p.add(Plot.Series.line(x.arm(), List.of(new double[] {x.calls(), x.p99()}))));
        return p;
    }

    private String shareList() {
        return String.join(", ", shares.stream().map(s -> f0(s * 100) + " %").toList());
    }
}
