package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether HostUp currently accepts our API key. A 401 is the operator's problem (revoked or
 * expired key), not the requester's: while it lasts, intake stops, readiness is DOWN and in-flight
 * calls keep retrying; the first call that is not a 401 restores everything.
 */
@ApplicationScoped
public class ApiKeyState {

    private final AtomicBoolean rejected = new AtomicBoolean();
    private final List<Runnable> onAccepted = new CopyOnWriteArrayList<>();
    private final WorkerMetrics metrics;

    public ApiKeyState(WorkerMetrics metrics) {
        this.metrics = metrics;
    }

    public boolean isRejected() {
        return rejected.get();
    }

    public void rejected() {
        if (rejected.compareAndSet(false, true)) {
            metrics.apiKeyRejected(true);
            Log.error("HostUp rejects the API key (401): intake stopped, readiness DOWN, in-flight requests held "
                    + "and retried. Check HOSTUP_API_TOKEN (revoked, expired, or an IP restriction).");
        }
    }

    public void accepted() {
        if (rejected.compareAndSet(true, false)) {
            metrics.apiKeyRejected(false);
            Log.info("HostUp accepts the API key again: resuming intake");
            onAccepted.forEach(Runnable::run);
        }
    }

    /** Runs {@code listener} each time the key goes from rejected to accepted. */
    public void onAccepted(Runnable listener) {
        onAccepted.add(listener);
    }
}
