package dev.hostupiso.worker.job;

import dev.hostupiso.worker.job.PollSchedule.Sample;
import dev.hostupiso.worker.testsupport.Coverage;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.hostupiso.worker.testsupport.Theories.qt;
import static dev.hostupiso.worker.testsupport.Theories.shown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

class PollSchedulePropertyTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final RetryPolicy backoff = new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(10));
    private final PollSchedule schedule = new PollSchedule(backoff, Duration.ofMinutes(10), true);

    @Test
    void everyWaitIsWithinTheFloorAndTheProgressCap() {
        Coverage coverage = new Coverage("everyWaitIsWithinTheFloorAndTheProgressCap");
        qt(3000).forAll(histories(), integers().between(0, 3600), integers().between(0, 100), randoms())
                .checkAssert((history, secondsLater, attempt, random) -> {
                    coverage.count();
                    Instant now = history.isEmpty() ? T0 : history.get(history.size() - 1).at().plusSeconds(secondsLater);
                    Duration wait = schedule.next(history, now, attempt, Optional.empty(), random);
                    assertThat(wait).isBetween(backoff.initialDelay(), Duration.ofMinutes(10));
                });
        coverage.print();
    }

    @Test
    void aWaitBeyondTheBackoffCapComesOnlyFromATrustedEstimateAndEndsBeforeIt() {
        Coverage coverage = new Coverage("aWaitBeyondTheBackoffCapComesOnlyFromATrustedEstimateAndEndsBeforeIt");
        qt(3000).forAll(histories(), integers().between(0, 100), randoms()).checkAssert((history, attempt, random) -> {
            coverage.count();
            Instant now = history.isEmpty() ? T0 : history.get(history.size() - 1).at();
            Duration wait = schedule.next(history, now, attempt, Optional.empty(), random);
            if (wait.compareTo(backoff.maxDelay()) > 0) {
                PollSchedule.Estimate e = PollSchedule.estimate(history).orElseThrow();
                assertThat(e.jumped()).isFalse();
                assertThat(now.plus(wait)).isBefore(e.end()); // long steps close in on the end, never pass it
            }
        });
        coverage.print();
    }

    @Test
    void aSteadyDownloadIsPolledFewTimes() {
        Coverage coverage = new Coverage("aSteadyDownloadIsPolledFewTimes");
        qt(2000).forAll(integers().between(60, 20 * 60), randoms()).checkAssert((durationSeconds, random) -> {
            coverage.count();
            aSteadyDownloadIsPolledFewTimes(durationSeconds, random);
        });
        coverage.print();
    }

    private void aSteadyDownloadIsPolledFewTimes(int durationSeconds, double random) {
        // Linear progress over durationSeconds: the schedule needs at most a handful of polls, and
        // the poll that sees it done comes no later than a backoff-capped poll would.
        double perSecond = 1.0 / durationSeconds;
        List<Sample> history = new ArrayList<>();
        Instant now = T0;
        Duration wait = backoff.initialDelay();
        int polls = 0;
        while (true) {
            now = now.plus(wait);
            polls++;
            double done = Math.min(1, perSecond * Duration.between(T0, now).toMillis() / 1000.0);
            if (done >= 1) {
                break;
            }
            history.add(new Sample(now, done));
            wait = schedule.next(history, now, polls, Optional.empty(), random);
        }
        long lateSeconds = Duration.between(T0.plusSeconds(durationSeconds), now).toSeconds();
        assertThat(polls).isLessThanOrEqualTo(10); // backing off to a 60 s cap takes 20 or more for 20 minutes
        assertThat(lateSeconds).isLessThanOrEqualTo(backoff.maxDelay().toSeconds());
    }

    /** Uniform in [0, 1): the random draw the schedule takes. */
    private static Gen<Double> randoms() {
        return doubles().between(0, 1).map(d -> d < 1 ? d : Math.nextDown(1.0));
    }

    private static Gen<List<Sample>> histories() {
        Gen<List<Long>> steps = lists().of(longs().between(0, 3600)).ofSizeBetween(0, PollSchedule.KEEP + 2);
        Gen<List<Double>> fractions = lists().of(doubles().between(0, 1)).ofSizeBetween(0, PollSchedule.KEEP + 2);
        return shown(steps.zip(fractions, (s, f) -> {
            List<Sample> h = new ArrayList<>();
            Instant t = T0;
            for (int i = 0; i < Math.min(s.size(), f.size()); i++) {
                t = t.plusSeconds(s.get(i));
                h.add(new Sample(t, f.get(i)));
            }
            return h;
        }));
    }
}
