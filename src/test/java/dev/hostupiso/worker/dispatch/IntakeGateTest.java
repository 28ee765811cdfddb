package dev.hostupiso.worker.dispatch;

import dev.hostupiso.worker.config.AccountsConfig;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.hostup.Account;
import dev.hostupiso.worker.hostup.ApiKeyState;
import dev.hostupiso.worker.hostup.HostUpAccounts;
import dev.hostupiso.worker.hostup.HostUpRateLimiterAccess;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.wire.Endpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link IntakeGate}: the consumer's backpressure (in-flight cap, key holds, shutdown); with accounts,
 * only the default key's hold closes it and a team's waiting requests do not fill it.
 */
class IntakeGateTest {

    private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
    private final HostUpAccounts accounts = new HostUpAccounts(account(Account.DEFAULT), Map.of("team-a", "a"),
            Optional.empty(), (name, token) -> account(name), null, metrics);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final IntakeGate gate = new IntakeGate(config(WorkerConfig.class, Map.of("maxInFlight", 2)),
            config(AccountsConfig.class, Map.of("maxWaiting", 1)), accounts, metrics);

    IntakeGateTest() {
        gate.bindInFlight(inFlight::get);
    }

    private Account account(String name) {
        return new Account(name, "k-" + name, new HostUpRateLimiterAccess().create(Clock.systemUTC(), metrics, null),
                new ApiKeyState(metrics, 3, name));
    }

    /** A configuration interface answering {@code values} by method name. */
    @SuppressWarnings("unchecked")
    private static <T> T config(Class<T> type, Map<String, Object> values) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            if (!values.containsKey(m.getName())) {
                throw new UnsupportedOperationException(m.getName());
            }
            return values.get(m.getName());
        });
    }

    private ApiKeyState team() {
        return accounts.find("team-a").orElseThrow().keyState();
    }

    @Test
    void aTeamsHeldKeyLeavesIntakeOpenAndTheDefaultKeysClosesIt() {
        team().unauthorized();
        assertThat(gate.isOpen()).as("one team's key does not stop intake").isTrue();
        accounts.defaultAccount().keyState().unauthorized();
        assertThat(gate.isOpen()).isFalse();
    }

    @Test
    void aTeamsWaitingRequestsDoNotCountAgainstTheCapUpToTheirBound() {
        inFlight.set(2);
        assertThat(gate.isOpen()).as("at the cap").isFalse();
        var waiter = gate.awaitOpen().subscribe().withSubscriber(UniAssertSubscriber.create());
        team().unauthorized();
        Runnable held = team().heldCall(); // one team-a request waits for its key: the gate is told at once
        waiter.assertCompleted();
        assertThat(gate.isOpen()).isTrue();
        Runnable parked = team().parkedCall();
        inFlight.set(3);
        assertThat(gate.isOpen()).as("beyond max-waiting, waiting requests count again").isFalse();
        parked.run();
        held.run();
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
        ApiKeyState keyState = accounts.defaultAccount().keyState();
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
