package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.simulator.DownloadShape;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Scenario 6's workload, seeded: download durations of 1–60 min, log-normal with a long tail, and shapes, a given share
 * of them without usable progress ({@code jump}: 0 % until done). The same seed gives the same jobs to every arm, in
 * the model and on the simulator.
 *
 * Each job also has a size: its duration times a throughput drawn log-normal around a common median with
 * {@link #THROUGHPUT_SIGMA} (origins and paths differ), from a random stream of its own so that the durations are the
 * same as without sizes. The model's worker learns the throughput from the jobs before ({@code ThroughputPrior}).
 *
 * @param durationsMs real (unscaled) duration of each job
 * @param shapes      shape of each job
 * @param bytes       size of each job (the preflight's {@code Content-Length})
 */
record PollWorkload(List<Long> durationsMs, List<DownloadShape> shapes, List<Long> bytes) {

    /** Median throughput, bytes per ms (10 MB/s), and the spread of one download's around it (log-normal sigma). */
    static final double THROUGHPUT_MEDIAN = 10_000;
    static final double THROUGHPUT_SIGMA = 0.5;

    /** Median download time, minutes, and the log-normal's sigma: p90 ≈ 14 min, p99 ≈ 30 min, clipped to 1–60 min. */
    static final double MEDIAN_MIN = 5;
    static final double SIGMA = 0.9;
    static final long MIN_MS = 60_000;
    static final long MAX_MS = 3_600_000;

    /** The simulator's awkward shapes, each reporting progress that misleads an extrapolation in its own way. */
    static final List<DownloadShape> AWKWARD = List.of(DownloadShape.SLOW_START, DownloadShape.STALLS,
            DownloadShape.VERIFYING_TAIL, DownloadShape.FAIL_AT_80);

    /** Linear downloads, a share {@code withoutProgress} of them replaced by ones that report nothing until done. */
    static PollWorkload of(int jobs, double withoutProgress, long seed) {
        return of(jobs, withoutProgress, List.of(DownloadShape.LINEAR), seed);
    }

    /** Jobs whose shapes are {@code withProgress} in turn, a share {@code withoutProgress} of them {@code jump} instead. */
    static PollWorkload of(int jobs, double withoutProgress, List<DownloadShape> withProgress, long seed) {
        Random random = new Random(seed);
        Random throughput = new Random(seed ^ 0x5eedL);
        List<Long> durations = new ArrayList<>(jobs);
        List<Long> bytes = new ArrayList<>(jobs);
        List<DownloadShape> shapes = new ArrayList<>(jobs);
        int progressing = 0;
        for (int i = 0; i < jobs; i++) {
            double minutes = MEDIAN_MIN * Math.exp(SIGMA * random.nextGaussian());
            durations.add(Math.max(MIN_MS, Math.min(MAX_MS, Math.round(minutes * 60_000))));
            double bytesPerMs = THROUGHPUT_MEDIAN * Math.exp(THROUGHPUT_SIGMA * throughput.nextGaussian());
            bytes.add(Math.max(1, Math.round(durations.get(i) * bytesPerMs)));
            // Bresenham-like: exactly round(share × n) jobs without progress, spread evenly.
            boolean jump = Math.floor((i + 1) * withoutProgress) > Math.floor(i * withoutProgress);
            shapes.add(jump ? DownloadShape.JUMP : withProgress.get(progressing++ % withProgress.size()));
        }
        return new PollWorkload(List.copyOf(durations), List.copyOf(shapes), List.copyOf(bytes));
    }

    int size() {
        return durationsMs.size();
    }
}
