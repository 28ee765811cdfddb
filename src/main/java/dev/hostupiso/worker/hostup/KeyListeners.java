package dev.hostupiso.worker.hostup;

import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Who waits for what of one {@link ApiKeyState}: the end of a hold, a trial, the next waiting call. */
final class KeyListeners {

    private final List<Runnable> onAccepted = new CopyOnWriteArrayList<>();
    private final List<Runnable> onWaiting = new CopyOnWriteArrayList<>();
    private final Set<Runnable> waiters = ConcurrentHashMap.newKeySet();
    private final Set<Runnable> trials = ConcurrentHashMap.newKeySet();

    void onAccepted(Runnable listener) {
        onAccepted.add(listener);
    }

    void onWaiting(Runnable listener) {
        onWaiting.add(listener);
    }

    void waiting() {
        onWaiting.forEach(Runnable::run);
    }

    /** Registers a one-shot listener for the end of the hold; runs it at once when {@code accepted}. */
    Runnable whenAccepted(Runnable listener, boolean accepted) {
        Runnable once = once(waiters, listener);
        waiters.add(once);
        if (accepted) {
            once.run();
        }
        return () -> waiters.remove(once);
    }

    Runnable whenTrial(Runnable listener) {
        Runnable once = once(trials, listener);
        trials.add(once);
        return () -> trials.remove(once);
    }

    boolean grantTrial() {
        Iterator<Runnable> it = trials.iterator();
        while (it.hasNext()) {
            Runnable t = it.next();
            if (trials.contains(t)) {
                t.run();
                return true;
            }
        }
        return false;
    }

    /** The hold ended: everyone waiting for it (or for a trial) goes on. */
    void released() {
        onAccepted.forEach(Runnable::run);
        waiters.forEach(Runnable::run);
        trials.forEach(Runnable::run);
    }

    private static Runnable once(Set<Runnable> set, Runnable listener) {
        return new Runnable() {
            @Override
            public void run() {
                if (set.remove(this)) {
                    listener.run();
                }
            }
        };
    }
}
