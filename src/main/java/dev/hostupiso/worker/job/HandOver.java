package dev.hostupiso.worker.job;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a job may go on: cancelled (its partition moved, the worker stops), or being handed over
 * (no new from-url or mount call, but one on the wire may still be answered and recorded). Written
 * by the dispatcher from any thread, read by the job's steps: hence volatile, not in a step's value.
 */
final class HandOver {

    private final String requestId;
    private volatile boolean cancelled;
    private volatile boolean stopping;
    private volatile boolean submitting;
    private final Set<Runnable> cancelListeners = ConcurrentHashMap.newKeySet();

    HandOver(String requestId) {
        this.requestId = requestId;
    }

    void cancel() {
        cancelled = true;
        cancelListeners.forEach(Runnable::run);
    }

    Runnable whenCancelled(Runnable listener) {
        cancelListeners.add(listener);
        if (cancelled && cancelListeners.remove(listener)) {
            listener.run();
        }
        return () -> cancelListeners.remove(listener);
    }

    void stopSubmitting() {
        stopping = true;
    }

    boolean isSubmitting() {
        return submitting;
    }

    void ensureActive() {
        if (cancelled) {
            throw new JobCancelledException(requestId);
        }
    }

    void beginSubmit() {
        if (cancelled || stopping) {
            throw new JobCancelledException(requestId);
        }
        submitting = true;
    }

    void endSubmit() {
        submitting = false;
    }
}
