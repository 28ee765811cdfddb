package dev.hostupiso.worker.dispatch;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.config.AccountsConfig;
import dev.hostupiso.worker.hostup.HostUpAccounts;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.IntSupplier;

/**
 * Decides when the consumer may take the next request: not while {@code max-in-flight} requests
 * run, and not while HostUp rejects the default account's API key. A team account's held key does
 * not close the gate (Kafka intake cannot pause per account): that team's requests are recorded in
 * the job ledger and wait, and up to {@code hostup.accounts.max-waiting} of their waiting calls do
 * not count against {@code max-in-flight}, so they cannot fill it for everyone else. The consumer waits on {@link #awaitOpen()}; as it
 * processes records one at a time, a closed gate stops consumption and the Kafka connector pauses
 * the partitions once its small buffer is full. That is the backpressure: memory stays bounded and
 * unread requests stay safely in Kafka.
 */
@ApplicationScoped
public class IntakeGate {

    private final int maxInFlight;
    private final int maxTeamWaiting;
    private final HostUpAccounts accounts;
    private final WorkerMetrics metrics;
    private final Queue<UniEmitter<? super Void>> waiting = new ArrayDeque<>();
    private IntSupplier inFlight = () -> 0;
    private volatile boolean shuttingDown;

    public IntakeGate(WorkerConfig config, AccountsConfig accountsConfig, HostUpAccounts accounts, WorkerMetrics metrics) {
        this.maxInFlight = config.maxInFlight();
        this.maxTeamWaiting = accountsConfig.maxWaiting();
        this.accounts = accounts;
        this.metrics = metrics;
        accounts.onChange(this::recheck);
    }

    void bindInFlight(IntSupplier inFlight) {
        this.inFlight = inFlight;
    }

    public boolean isOpen() {
        int working = inFlight.getAsInt() - Math.min(maxTeamWaiting, accounts.teamCallsWaiting());
        return !shuttingDown && working < maxInFlight && !accounts.defaultAccount().keyState().isRejected();
    }

    /** Takes no more requests: the worker is stopping and its partitions go to other instances. */
    public void closeForShutdown() {
        shuttingDown = true;
        metrics.intakePaused(true);
    }

    public Uni<Void> awaitOpen() {
        return Uni.createFrom().emitter(emitter -> {
            synchronized (this) {
                if (isOpen()) {
                    emitter.complete(null);
                    return;
                }
                waiting.add(emitter);
                metrics.intakePaused(true);
            }
        });
    }

    /** Re-evaluates the gate; called when a request finishes or the key is accepted again. */
    public void recheck() {
        UniEmitter<? super Void> next;
        synchronized (this) {
            if (waiting.isEmpty() || !isOpen()) {
                return;
            }
            next = waiting.poll();
            if (waiting.isEmpty()) {
                metrics.intakePaused(false);
            }
        }
        next.complete(null);
    }
}
