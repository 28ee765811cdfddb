package dev.hostupiso.worker.job;

import dev.hostupiso.worker.job.PollSchedule.Sample;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class PollScheduleProperties {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private final RetryPolicy backoff = new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(10));
    private final PollSchedule schedule = new PollSchedule(backoff, Duration.ofMinutes(10), true);

    @Property(tries = 3000)
    void everyWaitIsWithinTheFloorAndTheProgressCap(@ForAll("histories") List<Sample> history,
                                                     @ForAll @IntRange(min = 0, max = 3600) int secondsLater,
                                                     @ForAll @IntRange(min = 0, max = 100) int attempt,
                                                     @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double random) {
        Instant now = history.isEmpty() ? T0 : history.get(history.size() - 1).at().plusSeconds(secondsLater);
        Duration wait = schedule.next(history, now, attempt, Optional.empty(), random);
        assertThat(wait).isBetween(backoff.initialDelay(), Duration.ofMinutes(10));
    }

    @Property(tries = 3000)
    void aWaitBeyondTheBackoffCapComesOnlyFromATrustedEstimateAndEndsBeforeIt(
            @ForAll("histories") List<Sample> history, @ForAll @IntRange(min = 0, max = 100) int attempt,
            @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double random) {
        Instant now = history.isEmpty() ? T0 : history.get(history.size() - 1).at();
        Duration wait = schedule.next(history, now, attempt, Optional.empty(), random);
        if (wait.compareTo(backoff.maxDelay()) > 0) {
            PollSchedule.Estimate e = PollSchedule.estimate(history).orElseThrow();
            assertThat(e.jumped()).isFalse();
            assertThat(now.plus(wait)).isBefore(e.end()); // long steps close in on the end, never pass it
        }
    }

    @Property(tries = 2000)
    void aSteadyDownloadIsPolledFewTimes(@ForAll @IntRange(min = 60, max = 20 * 60) int durationSeconds,
                                         @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double random) {
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

    @Provide
    Arbitrary<List<Sample>> histories() {
        Arbitrary<long[]> steps = Arbitraries.longs().between(0, 3600).array(long[].class).ofMaxSize(PollSchedule.KEEP + 2);
        Arbitrary<double[]> fractions = Arbitraries.doubles().between(0, 1).array(double[].class).ofMaxSize(PollSchedule.KEEP + 2);
        return Combinators.combine(steps, fractions).as((s, f) -> {
            List<Sample> h = new ArrayList<>();
            Instant t = T0;
            for (int i = 0; i < Math.min(s.length, f.length); i++) {
                t = t.plusSeconds(s[i]);
                h.add(new Sample(t, f[i]));
            }
            return h;
        });
    }
}
