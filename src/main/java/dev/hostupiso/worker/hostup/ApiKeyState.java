package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Whether HostUp currently accepts one account's API key, and if not why. A problem with the key is
 * the operator's, not the requester's: while a {@link Reason hold} lasts, the calls that met it are
 * held and retried (until their deadline) instead of failing, and the account's other calls wait for
 * the hold to lift ({@link #parkedCall()}). For the default account intake stops too and readiness is
 * DOWN; a team account's hold holds only that team's requests.
 * <ul>
 * <li>{@code unauthorized}: a 401 (revoked or expired key). Any answer that is not a 401 ends it.</li>
 * <li>{@code forbidden}: 403s for {@code stormVpss} different VPSs in a row, with no answer in
 * between that shows the key working (an IP restriction, or a scope missing). One 403 among
 * working calls is that VPS's problem (not the key's) and fails its request.</li>
 * <li>{@code missing_scope}: a 403 on an ISO library read while no library read has worked since
 * start-up or the last hold: the key lacks {@code read:vm}, and every download it queued could never
 * be resolved. Only a library read that works ends it.</li>
 * </ul>
 * An answer "shows the key working" when HostUp evaluated the call: 2xx, 400, 404, 409. A 429, 5xx or
 * transport failure says nothing about the key. When the last held call gives up (its deadline
 * passed, or it was handed over), the hold lifts: nothing is left to find out whether the key works,
 * so the next request is taken and probes it (and, should the key still be refused, is held in turn).
 */
@ApplicationScoped
public class ApiKeyState {

    /** Why the key is held; {@link #tag()} is the readiness data and the metric label. */
    public enum Reason {
        UNAUTHORIZED("unauthorized"), FORBIDDEN("forbidden"), MISSING_SCOPE("missing_scope");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    private final List<Runnable> onAccepted = new CopyOnWriteArrayList<>();
    private final Set<Runnable> waiters = ConcurrentHashMap.newKeySet();
    private final List<Runnable> onWaiting = new CopyOnWriteArrayList<>();
    private final WorkerMetrics metrics;
    private final int stormVpss;
    private final String account;
    private volatile Reason hold;
    /** VPSs answered 403 since the last answer that showed the key working. */
    private final Set<String> forbiddenStreak = new HashSet<>();
    /** Answers that showed the key working: a 403'd call waits for this to grow. */
    private volatile long proofs;
    private volatile boolean readScopeProven;
    private int heldCalls;
    private int parkedCalls;

    /** The default account's key state. */
    @Inject
    public ApiKeyState(WorkerMetrics metrics, WorkerConfig config) {
        this(metrics, config.forbiddenHold().vpss());
    }

    public ApiKeyState(WorkerMetrics metrics, int stormVpss) {
        this(metrics, stormVpss, Account.DEFAULT);
    }

    public ApiKeyState(WorkerMetrics metrics, int stormVpss, String account) {
        if (stormVpss < 1) {
            throw new IllegalArgumentException("forbidden-hold VPS count must be at least 1, got " + stormVpss);
        }
        this.metrics = metrics;
        this.stormVpss = stormVpss;
        this.account = account;
        metrics.apiKeyHold(account, null); // the series exist (at 0) before any hold
    }

    public String account() {
        return account;
    }

    private boolean isDefault() {
        return Account.DEFAULT.equals(account);
    }

    /** Whether intake is held for the key (any reason). */
    public boolean isRejected() {
        return hold != null;
    }

    public Optional<Reason> hold() {
        return Optional.ofNullable(hold);
    }

    /** Answers that showed the key working so far (a counter to compare against later). */
    public long proofs() {
        return proofs;
    }

    /** Whether an ISO library read has worked since start-up or the last hold (the key has {@code read:vm}). */
    public boolean readScopeProven() {
        return readScopeProven;
    }

    /** HostUp answered {@code status} (any but 401/403) to a call to {@code endpoint}. */
    public void answered(Endpoint endpoint, int status) {
        boolean working = status / 100 == 2 || status == 400 || status == 404 || status == 409;
        Reason released;
        synchronized (this) {
            if (working) {
                forbiddenStreak.clear();
                proofs++;
                if (endpoint == Endpoint.ISO_LIST && status / 100 == 2) {
                    readScopeProven = true;
                }
            }
            boolean releases = hold == Reason.UNAUTHORIZED
                    || working && (hold == Reason.FORBIDDEN || hold == Reason.MISSING_SCOPE && readScopeProven);
            released = releases ? hold : null;
            if (releases) {
                hold = null;
            }
        }
        if (released != null) {
            released(released, "HostUp accepts the API key again (" + status + " on " + endpoint.tag() + ")");
        }
    }

    /** A 401. */
    public void unauthorized() {
        hold(Reason.UNAUTHORIZED);
    }

    /**
     * A 403 for {@code vpsId} on {@code endpoint}; may start a hold. The key authenticated, so an
     * {@code unauthorized} hold ends.
     */
    public void forbidden(String vpsId, Endpoint endpoint) {
        Reason start = null;
        Reason released = null;
        synchronized (this) {
            if (hold == Reason.UNAUTHORIZED) {
                released = hold;
                hold = null;
            }
            forbiddenStreak.add(vpsId);
            if (endpoint == Endpoint.ISO_LIST && !readScopeProven) {
                start = Reason.MISSING_SCOPE;
            } else if (forbiddenStreak.size() >= stormVpss && hold == null) {
                start = Reason.FORBIDDEN;
            }
        }
        if (released != null && start == null) {
            released(released, "HostUp authenticates the API key again (403 on " + endpoint.tag() + ")");
        }
        if (start != null) {
            hold(start);
        }
    }

    /**
     * A call starts waiting out a hold; the returned handle (run it once) says it stopped waiting.
     * When the last held call stops while the hold lasts, the hold lifts (see the class comment).
     */
    public Runnable heldCall() {
        synchronized (this) {
            heldCalls++;
        }
        onWaiting.forEach(Runnable::run);
        boolean[] done = new boolean[1];
        return () -> {
            Reason lifted = null;
            synchronized (this) {
                if (done[0]) {
                    return;
                }
                done[0] = true;
                heldCalls--;
                if (heldCalls == 0 && hold != null) {
                    lifted = hold;
                    hold = null;
                }
            }
            if (lifted != null) {
                released(lifted, "No held request is left to find out whether HostUp accepts the API key ("
                        + lifted.tag() + "): taking the next request to try");
            }
        };
    }

    /**
     * A call of this account starts waiting for a hold it did not meet itself to lift; the returned
     * handle (run it once) says it stopped waiting. Parked calls do not keep a hold alive: the calls
     * that met it probe the key with backoff, the parked ones wait for the verdict.
     */
    public Runnable parkedCall() {
        synchronized (this) {
            parkedCalls++;
        }
        onWaiting.forEach(Runnable::run);
        boolean[] done = new boolean[1];
        return () -> {
            synchronized (this) {
                if (done[0]) {
                    return;
                }
                done[0] = true;
                parkedCalls--;
            }
        };
    }

    /** Runs {@code listener} each time a call starts waiting for this key (held or parked). */
    public void onWaiting(Runnable listener) {
        onWaiting.add(listener);
    }

    /** Calls waiting for this key: held ones (probing with backoff) and parked ones. */
    public synchronized int waitingCalls() {
        return heldCalls + parkedCalls;
    }

    /**
     * Runs {@code listener} once, when the current hold ends (at once if there is none); the returned
     * handle unregisters it.
     */
    public Runnable whenAccepted(Runnable listener) {
        Runnable once = new Runnable() {
            @Override
            public void run() {
                if (waiters.remove(this)) {
                    listener.run();
                }
            }
        };
        waiters.add(once);
        if (hold == null) {
            once.run();
        }
        return () -> waiters.remove(once);
    }

    /**
     * The account's key was replaced (a rotated key read from its file): whatever held the old key
     * says nothing about the new one, so the hold lifts and the next calls try it.
     */
    public void keyReplaced() {
        Reason lifted;
        synchronized (this) {
            lifted = hold;
            hold = null;
            forbiddenStreak.clear();
            readScopeProven = false;
        }
        if (lifted != null) {
            released(lifted, "A new API key for account " + account + " was read (" + lifted.tag() + " before): trying it");
        }
    }

    private void hold(Reason reason) {
        Reason before;
        synchronized (this) {
            before = hold;
            hold = reason;
            readScopeProven = false; // after a hold, the next download re-checks the key's read scope first
        }
        if (before == reason) {
            return;
        }
        if (isDefault()) {
            metrics.apiKeyRejected(true);
        }
        metrics.apiKeyHold(account, reason.tag());
        String key = isDefault() ? "the API key" : "account " + account + "'s API key";
        String where = isDefault() ? "HOSTUP_API_TOKEN"
                : "HOSTUP_ACCOUNTS_" + account.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_TOKEN or the file "
                + account + " in HOSTUP_ACCOUNTS_DIR";
        String why = switch (reason) {
            case UNAUTHORIZED -> "rejects " + key + " (401). Check " + where + " (revoked or expired).";
            case FORBIDDEN -> "forbids calls for " + stormVpss + " different VPSs in a row (403) with " + key + ". Check its "
                    + "IP restriction and scopes (write:vm, write:storage).";
            case MISSING_SCOPE -> "forbids reading the ISO library (403): " + key + " lacks scope read:vm.";
        };
        Log.error("HostUp " + why + (isDefault() ? " Intake stopped, readiness DOWN, in-flight requests held and retried."
                : " This account's requests wait (recorded in the job ledger); other accounts go on."));
    }

    private void released(Reason reason, String message) {
        Reason now = hold;
        if (isDefault()) {
            metrics.apiKeyRejected(now != null);
        }
        metrics.apiKeyHold(account, now == null ? null : now.tag());
        Log.info(message + (isDefault() ? ": resuming intake" : ": resuming account " + account + "'s requests"));
        onAccepted.forEach(Runnable::run);
        waiters.forEach(Runnable::run);
    }

    /** Runs {@code listener} each time a hold ends. */
    public void onAccepted(Runnable listener) {
        onAccepted.add(listener);
    }
}
