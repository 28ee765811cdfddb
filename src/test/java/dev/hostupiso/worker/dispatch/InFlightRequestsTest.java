package dev.hostupiso.worker.dispatch;

import dev.hostupiso.worker.job.JobCancelledException;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.SubmitControl;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.OutcomeEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-flight registry: joins, and a hand-over that leaves nothing behind. */
class InFlightRequestsTest {

    private final AtomicInteger slotsFreed = new AtomicInteger();
    private final InFlightRequests inFlight = new InFlightRequests(Clock.systemUTC(), slotsFreed::incrementAndGet);

    private static final String TOPIC = "requests";

    private static JobContext job(String id, int partition) {
        return job(TOPIC, id, partition);
    }

    private static JobContext job(String topic, String id, int partition) {
        Instant now = Instant.now();
        return new JobContext(new IsoRequest(id, "vps_1", "https://h/x.iso", "x.iso", "none"), now, now.plusSeconds(60),
                partition, 1).fromTopic(topic);
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition(TOPIC, partition);
    }

    @Test
    void theSameRequestIdOnTwoTopicsIsTwoJobsAndAHandOverStopsOnlyItsTopicsJobs() {
        AtomicInteger runs = new AtomicInteger();
        inFlight.start(job("r-7", 0), () -> {
            runs.incrementAndGet();
            return waitingWork(new AtomicBoolean());
        });
        inFlight.start(job("team-b-requests", "r-7", 0), () -> {
            runs.incrementAndGet();
            return waitingWork(new AtomicBoolean());
        });
        assertThat(runs).as("another team's requestId is not a duplicate to join").hasValue(2);

        inFlight.cancel(List.of(new TopicPartition("team-b-requests", 0)));

        assertThat(inFlight.running("team-b-requests", "r-7")).isEmpty();
        assertThat(inFlight.running(TOPIC, "r-7")).as("partition 0 of another topic is another partition").isPresent();
    }

    /** Work that waits (like a job between polls) until cancelled; {@code released} tells when its wait ended. */
    private static Uni<OutcomeEvent> waitingWork(AtomicBoolean released) {
        return Uni.createFrom().emitter(emitter -> emitter.onTermination(() -> released.set(true)));
    }

    @Test
    void aStoppedJobLeavesAtOnceAndItsWaitIsReleasedSoAHandBackStartsItAgain() {
        AtomicBoolean released = new AtomicBoolean();
        UniAssertSubscriber<OutcomeEvent> joiner = inFlight.start(job("r-1", 2), () -> waitingWork(released))
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        inFlight.start(job("r-2", 1), () -> waitingWork(new AtomicBoolean()));

        inFlight.cancel(List.of(tp(2)));

        assertThat(inFlight.running(TOPIC, "r-1")).as("left the registry at once").isEmpty();
        assertThat(released).as("its wait (timer) was cancelled").isTrue();
        joiner.assertFailedWith(JobCancelledException.class);
        assertThat(inFlight.size()).as("other partitions untouched").isEqualTo(1);
        assertThat(slotsFreed).hasPositiveValue();

        AtomicInteger runs = new AtomicInteger();
        inFlight.start(job("r-1", 2), () -> {
            runs.incrementAndGet();
            return waitingWork(new AtomicBoolean());
        });
        assertThat(runs).as("the hand-back starts the job again instead of joining a dead one").hasValue(1);
    }

    @Test
    void aDuplicateJoinsTheRunningRequestAndSharesItsOutcome() {
        AtomicInteger runs = new AtomicInteger();
        var first = inFlight.start(job("r-3", 0), () -> {
            runs.incrementAndGet();
            return Uni.createFrom().nothing();
        });
        var second = inFlight.start(job("r-3", 0), () -> {
            runs.incrementAndGet();
            return Uni.createFrom().nothing();
        });
        assertThat(runs).hasValue(1);
        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
    }

    @Test
    void drainingWaitsForASubmissionOnTheWireButNotLongerThanTheGrace() {
        JobContext submitting = job("r-4", 0);
        inFlight.start(submitting, () -> waitingWork(new AtomicBoolean()));
        SubmitControl.begin(submitting);
        Thread finisher = new Thread(() -> {
            sleep(150);
            SubmitControl.end(submitting);
        });
        finisher.start();
        long start = System.nanoTime();
        inFlight.drainSubmissions(List.of(tp(0)), Duration.ofSeconds(5));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMs).as("waited for the answer to be recorded").isBetween(100L, 4000L);

        JobContext stuck = job("r-5", 1);
        inFlight.start(stuck, () -> waitingWork(new AtomicBoolean()));
        SubmitControl.begin(stuck);
        start = System.nanoTime();
        inFlight.drainSubmissions(List.of(tp(1)), Duration.ofMillis(200));
        assertThat((System.nanoTime() - start) / 1_000_000).as("bounded by the grace").isLessThan(2000L);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
