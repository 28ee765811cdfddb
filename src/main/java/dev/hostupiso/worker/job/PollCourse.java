package dev.hostupiso.worker.job;

import dev.hostupiso.worker.job.PollSchedule.Sample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The polling of one job as the worker runs it (and the benchmark's model replays it, in virtual time): the first wait,
 * the progress seen, each next wait, and what the finished download teaches the {@link ThroughputPrior}. The waits are
 * {@link PollSchedule}'s, given the prior for the download's size when one is known: the first poll then lands near
 * the quickest time the prior allows instead of at the initial delay. One job's polls run one at a time: not
 * thread-safe.
 */
public final class PollCourse {

    private final PollSchedule schedule;
    private final Instant since;
    private final Long bytes;
    private final Optional<DurationPrior> prior;
    /** The newest progress samples, oldest first, at most {@link PollSchedule#KEEP}. */
    private final Deque<Sample> samples = new ArrayDeque<>(PollSchedule.KEEP);
    private Instant lastPoll;
    private int attempt;

    private PollCourse(PollSchedule schedule, Instant since, Long bytes, Optional<DurationPrior> prior) {
        this.schedule = schedule;
        this.since = since;
        this.bytes = bytes;
        this.prior = prior;
        this.lastPoll = since;
    }

    /**
     * Polling of a job submitted at {@code since}.
     *
     * @param bytes the download's size (the preflight's {@code Content-Length}); null when unknown or when the job is
     *              not a download this instance submitted at {@code since}: no prior is asked, and none is taught
     */
    public static PollCourse start(PollSchedule schedule, ThroughputPrior throughput, Instant since, Long bytes) {
        Optional<DurationPrior> prior = bytes == null ? Optional.empty() : throughput.expect(bytes);
        return new PollCourse(schedule, since, bytes, prior);
    }

    /** The wait before the first poll: the initial delay, or with a prior the schedule's wait at submission. */
    public Duration first(double random) {
        return schedule.next(since, List.of(), since, 0, Optional.empty(), random, prior);
    }

    /** A poll at {@code at} saw the job running, {@code fraction} done when it said so. */
    public void running(Instant at, Optional<Double> fraction) {
        lastPoll = at;
        attempt++;
        if (fraction.isEmpty()) {
            return;
        }
        if (samples.size() == PollSchedule.KEEP) {
            samples.removeFirst();
        }
        samples.addLast(new Sample(at, fraction.get()));
    }

    /** A poll that did not reach the job (not known yet): counts as an attempt of the backoff. */
    public void missed() {
        attempt++;
    }

    /** The wait before the next poll, at {@code now}; a server's {@code Retry-After} wins. */
    public Duration next(Instant now, Optional<Duration> retryAfter, double random) {
        return schedule.next(since, history(), now, attempt, retryAfter, random, prior);
    }

    /** Polls so far that counted as attempts (0-based attempt of the next backoff). */
    public int attempt() {
        return attempt;
    }

    public Instant since() {
        return since;
    }

    /** The progress samples kept, oldest first. */
    public List<Sample> history() {
        return List.copyOf(samples);
    }

    /**
     * A poll at {@code at} saw the download done: the throughput prior learns its size over the time it took. It ended
     * between the poll before and this one: at the end the progress estimated, when that lies between, else halfway.
     */
    public void done(Instant at, ThroughputPrior throughput) {
        if (bytes == null || bytes <= 0) {
            return;
        }
        Instant before = lastPoll.isAfter(at) ? at : lastPoll;
        Instant end = ProgressEstimate.of(since, history()).map(ProgressEstimate::end)
                .filter(e -> !e.isBefore(before) && !e.isAfter(at))
                .orElse(before.plus(Duration.between(before, at).dividedBy(2)));
        Duration took = Duration.between(since, end);
        if (!took.isNegative() && !took.isZero()) {
            throughput.observe(bytes, took);
        }
    }
}
