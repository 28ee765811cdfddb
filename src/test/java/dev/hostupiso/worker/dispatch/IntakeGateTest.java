package dev.hostupiso.worker.dispatch;

import dev.hostupiso.worker.hostup.ApiKeyState;
import dev.hostupiso.worker.hostup.Endpoint;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link IntakeGate}: the consumer's backpressure (in-flight cap, key holds, shutdown). */
class IntakeGateTest {

    private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
    private final ApiKeyState keyState = new ApiKeyState(metrics, 3);
    private final IntakeGate gate = new IntakeGate(TestConfig.worker(Map.of("iso.max-in-flight", "2")), keyState, metrics);
    private final AtomicInteger inFlight = new AtomicInteger();

    IntakeGateTest() {
        gate.bindInFlight(inFlight::get);
    }

    private UniAssertSubscriber<Void> await() {
        return gate.awaitOpen().subscribe().withSubscriber(UniAssertSubscriber.create());
    }

    @Test
    void atTheCapTheConsumerWaitsUntilARequestFinishes() {
        inFlight.set(1);
        await().assertCompleted();
        inFlight.set(2);
        var waiting = await();
        waiting.assertNotTerminated();
        gate.recheck();
        waiting.assertNotTerminated();
        inFlight.set(1);
        gate.recheck();
        waiting.assertCompleted();
    }

    @Test
    void aFreedSlotReleasesOneWaiterAtATime() {
        inFlight.set(2);
        var first = await();
        var second = await();
        inFlight.set(1);
        gate.recheck();
        first.assertCompleted();
        second.assertNotTerminated();
    }

    @Test
    void aRejectedKeyClosesTheGateUntilAnAnswerShowsItWorking() {
        keyState.unauthorized();
        var waiting = await();
        waiting.assertNotTerminated();
        keyState.answered(Endpoint.JOB, 200); // the key's listener rechecks the gate
        waiting.assertCompleted();
    }

    @Test
    void afterShutdownBeginsNoRequestIsTaken() {
        gate.closeForShutdown();
        var waiting = await();
        gate.recheck();
        waiting.assertNotTerminated();
        assertThat(gate.isOpen()).isFalse();
    }
}
