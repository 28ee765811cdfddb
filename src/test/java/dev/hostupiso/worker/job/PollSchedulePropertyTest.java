package dev.hostupiso.worker.job;

import dev.hostupiso.worker.job.PollSchedule.Sample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/** Properties of the poll schedule over generated histories and downloads. */
class PollSchedulePropertyTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final RetryPolicy backoff = new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(10));
    private final PollSchedule schedule = new PollSchedule(backoff, Duration.ofMinutes(10), true);

    @Test
    void everyWaitIsAtLeastTheFloorAndAtMostTheCapOrThreeTimesTheTimeSinceSubmission() {
        qt().withExamples(3000).forAll(lists().of(integers().between(0, 3600)).ofSizeBetween(0, 8),
                        lists().of(doubles().between(0, 1)).ofSizeBetween(0, 8), integers().between(0, 3600),
                        doubles().between(0, 0.999_999))
                .checkAssert((steps, fractions, later, random) -> {
                    List<Sample> history = history(steps, fractions);
                    Instant now = (history.isEmpty() ? T0 : history.get(history.size() - 1).at()).plusSeconds(later);
                    Duration wait = schedule.next(T0, history, now, history.size(), Optional.empty(), random);
                    long elapsedMs = Duration.between(T0, now).toMillis();
                    assertThat(wait).isGreaterThanOrEqualTo(backoff.initialDelay()).isLessThanOrEqualTo(Duration.ofMinutes(10));
                    assertThat(wait.toMillis()).isLessThanOrEqualTo(Math.max(backoff.maxDelay().toMillis(), 3 * elapsedMs));
                });
    }

    @Test
    void withoutAnyProgressNoWaitExceedsTheBackoffCap() {
        qt().withExamples(2000).forAll(lists().of(integers().between(0, 3600)).ofSizeBetween(0, 8), integers().between(0, 3600),
                        doubles().between(0, 0.999_999))
                .checkAssert((steps, later, random) -> {
                    List<Sample> history = history(steps, steps.stream().map(s -> 0.0).toList());
                    Instant now = (history.isEmpty() ? T0 : history.get(history.size() - 1).at()).plusSeconds(later);
                    assertThat(schedule.next(T0, history, now, history.size(), Optional.empty(), random))
                            .isLessThanOrEqualTo(backoff.maxDelay());
                });
    }

    @Test
    void aLinearDownloadReportingWholePercentIsSeenDoneWithinFivePercentOfItsTimePlusFiveSeconds() {
        // As HostUp's simulator reports it: 0 % while queued (the first tenth), then whole percent of the time elapsed.
        qt().withExamples(1000).forAll(integers().between(60, 3600), doubles().between(0, 0.999_999))
                .checkAssert((seconds, random) -> {
                    Run run = run(seconds * 1000L, x -> x < 0.1 ? 0 : Math.floor(Math.min(0.99, x) * 100) / 100, random);
                    assertThat((double) run.latenessMs).isLessThanOrEqualTo(0.05 * seconds * 1000 + 5000);
                    assertThat(run.polls).isLessThanOrEqualTo(16); // up to 6 while queued, then steps of at most 10 min
                });
    }

    @Test
    void aDownloadWithoutProgressIsPolledNoMoreOftenThanBackoffAtItsAverageJitter() {
        qt().withExamples(1000).forAll(integers().between(10, 7200), doubles().between(0, 0.999_999))
                .checkAssert((seconds, random) -> {
                    Run aware = run(seconds * 1000L, x -> 0, random);
                    int backoffPolls = 0;
                    long t = backoff.initialDelay().toMillis();
                    while (true) {
                        backoffPolls++;
                        if (t >= seconds * 1000L) {
                            break;
                        }
                        t += backoff.backoff(backoffPolls, 0.5).toMillis();
                    }
                    assertThat(aware.polls).isLessThanOrEqualTo(backoffPolls);
                });
    }

    @Test
    void withAFixedPollersSettingsProgressOnlySavesPollsAndNeverSeesTheEndLater() {
        // The settings of a poller every T (first poll after T, then every T) with progress awareness on: a download that
        // reports nothing is polled exactly as the fixed poller polls it; one that reports whole percent is polled no
        // more often, and seen done no later than T after its end, as the fixed poller sees it.
        qt().withExamples(1500).forAll(integers().between(0, 3), integers().between(60, 3600), doubles().between(0, 0.999_999))
                .checkAssert((arm, seconds, random) -> {
                    Duration every = Duration.ofSeconds(new int[] {10, 30, 60, 120}[arm]);
                    PollSchedule matched = new PollSchedule(new RetryPolicy(every, every, Duration.ofMinutes(10)),
                            Duration.ofMinutes(10), true);
                    long totalMs = seconds * 1000L;
                    int fixedPolls = (int) ((totalMs + every.toMillis() - 1) / every.toMillis());
                    Run blind = run(matched, totalMs, x -> 0, random);
                    assertThat(blind.polls).isEqualTo(fixedPolls);
                    assertThat(blind.latenessMs).isEqualTo(fixedPolls * every.toMillis() - totalMs);
                    Run linear = run(matched, totalMs, x -> x < 0.1 ? 0 : Math.floor(Math.min(0.99, x) * 100) / 100, random);
                    assertThat(linear.polls).isLessThanOrEqualTo(fixedPolls);
                    assertThat(linear.latenessMs).isLessThanOrEqualTo(every.toMillis());
                });
    }

    /** The simulator's linear download: 0 % while queued (the first tenth), then whole percent of the time elapsed. */
    private static final java.util.function.DoubleUnaryOperator LINEAR =
            x -> x < 0.1 ? 0 : Math.floor(Math.min(0.99, x) * 100) / 100;
    private static final long BYTES = 1_000_000_000L;

    /** A prior learned from ten alike downloads of {@link #BYTES} taking {@code typicalMs}: quickest ≈ 0.42 of it. */
    private static ThroughputPrior alike(long typicalMs) {
        ThroughputPrior prior = new ThroughputPrior(java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC));
        for (int i = 0; i < 10; i++) {
            prior.observe(BYTES, Duration.ofMillis(Math.max(1, typicalMs)));
        }
        return prior;
    }

    @Test
    void withAPriorThatIsNotTooHopefulALinearDownloadIsSeenDoneWithinFivePercentOfItsTimePlusFiveSeconds() {
        // Typical times from a tenth of the download's to 2.39 times it: the quickest time stays at or before its end.
        qt().withExamples(1500).forAll(integers().between(60, 3600), doubles().between(0.1, 2.39), doubles().between(0, 0.999_999))
                .checkAssert((seconds, typical, random) -> {
                    long totalMs = seconds * 1000L;
                    PollCourse course = PollCourse.start(schedule, alike((long) (typical * totalMs)), T0, BYTES);
                    Run run = run(course, totalMs, LINEAR, random);
                    assertThat((double) run.latenessMs).isLessThanOrEqualTo(0.05 * totalMs + 5000);
                    assertThat(run.polls).isLessThanOrEqualTo(16);
                });
    }

    @Test
    void withAFixedPollersSettingsAndAPriorADownloadThatReportsNothingIsSeenDoneWhenTheFixedPollerSeesIt() {
        // The first look the prior aims sits on the fixed poller's grid: one that reports nothing is seen done at the
        // fixed poller's poll, with no more polls; one that reports progress no later than the fixed poller's period.
        qt().withExamples(1500).forAll(integers().between(0, 3), integers().between(60, 3600), doubles().between(0.1, 2.39),
                        doubles().between(0, 0.999_999))
                .checkAssert((arm, seconds, typical, random) -> {
                    Duration every = Duration.ofSeconds(new int[] {10, 30, 60, 120}[arm]);
                    PollSchedule matched = new PollSchedule(new RetryPolicy(every, every, Duration.ofMinutes(10)),
                            Duration.ofMinutes(10), true);
                    long totalMs = seconds * 1000L;
                    int fixedPolls = (int) ((totalMs + every.toMillis() - 1) / every.toMillis());
                    ThroughputPrior prior = alike((long) (typical * totalMs));
                    Run blind = run(PollCourse.start(matched, prior, T0, BYTES), totalMs, x -> 0, random);
                    assertThat(blind.polls).isLessThanOrEqualTo(fixedPolls);
                    assertThat(blind.latenessMs).isEqualTo(fixedPolls * every.toMillis() - totalMs);
                    Run linear = run(PollCourse.start(matched, prior, T0, BYTES), totalMs, LINEAR, random);
                    assertThat(linear.polls).isLessThanOrEqualTo(fixedPolls);
                    assertThat(linear.latenessMs).isLessThanOrEqualTo(every.toMillis());
                });
    }

    @Test
    void aPriorNeverCostsADownloadThatReportsNothingMorePolls() {
        // Whatever the prior says (the quickest time from a tenth of the download's time to twice it), the first look
        // only skips polls: after it, blind polling goes on from the time since submission, as without a prior.
        qt().withExamples(1500).forAll(integers().between(10, 7200), doubles().between(0.25, 5.0), doubles().between(0, 0.999_999))
                .checkAssert((seconds, typical, random) -> {
                    long totalMs = seconds * 1000L;
                    Run without = run(PollCourse.start(schedule, new ThroughputPrior(java.time.Clock.systemUTC()), T0, BYTES),
                            totalMs, x -> 0, random);
                    Run with = run(PollCourse.start(schedule, alike((long) (typical * totalMs)), T0, BYTES), totalMs,
                            x -> 0, random);
                    assertThat(with.polls).isLessThanOrEqualTo(without.polls);
                });
    }

    /** Polls a download through {@link PollCourse}, as the worker's poller does: its first wait included. */
    private static Run run(PollCourse course, long totalMs, java.util.function.DoubleUnaryOperator shape, double random) {
        long now = course.first(random).toMillis();
        int polls = 0;
        while (true) {
            polls++;
            if (now >= totalMs) {
                return new Run(polls, now - totalMs);
            }
            course.running(T0.plusMillis(now), Optional.of(shape.applyAsDouble((double) now / totalMs)));
            now += course.next(T0.plusMillis(now), Optional.empty(), random).toMillis();
        }
    }

    private record Run(int polls, long latenessMs) { }

    /** Polls a download of {@code totalMs} whose reported fraction at share x of its time is {@code shape(x)}. */
    private Run run(long totalMs, java.util.function.DoubleUnaryOperator shape, double random) {
        return run(schedule, totalMs, shape, random);
    }

    private static Run run(PollSchedule schedule, long totalMs, java.util.function.DoubleUnaryOperator shape, double random) {
        List<Sample> history = new ArrayList<>();
        long now = schedule.backoff().initialDelay().toMillis();
        int polls = 0;
        while (true) {
            polls++;
            if (now >= totalMs) {
                return new Run(polls, now - totalMs);
            }
            if (history.size() == PollSchedule.KEEP) {
                history.remove(0);
            }
            history.add(new Sample(T0.plusMillis(now), shape.applyAsDouble((double) now / totalMs)));
            now += schedule.next(T0, List.copyOf(history), T0.plusMillis(now), polls, Optional.empty(), random).toMillis();
        }
    }

    private static List<Sample> history(List<Integer> steps, List<Double> fractions) {
        List<Sample> h = new ArrayList<>();
        Instant t = T0;
        for (int i = 0; i < Math.min(steps.size(), fractions.size()); i++) {
            t = t.plusSeconds(steps.get(i));
            h.add(new Sample(t, fractions.get(i)));
        }
        return h;
    }
}
