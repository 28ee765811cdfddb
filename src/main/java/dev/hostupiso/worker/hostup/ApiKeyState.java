package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.wire.Endpoint;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Whether HostUp currently accepts one account's API key, and if not why. A problem with the key is
 * the operator's, not the requester's: while a {@link Reason hold} lasts, the calls that met it wait
 * (until their deadline) instead of failing, the account's other calls wait too ({@link #parkedCall()}),
 * and the {@link KeyProbe} alone calls HostUp to find out when the key works again, at a bounded rate.
 * For the default account intake stops too and readiness is DOWN; a team account's hold holds only
 * that team's requests.
 * <ul>
 * <li>{@code unauthorized}: a 401 (revoked or expired key). Any answer that is not a 401 ends it.</li>
 * <li>{@code forbidden}: a 403 that the probe found key-wide (the VPS list is refused too: an IP
 * restriction; or the VPS is one the key may use: a write scope is missing), or 403s for
 * {@code stormVpss} different VPSs in a row that the probe could not settle. A 403 for a VPS the key's
 * VPS list does not name is that VPS's problem and fails its request without any hold.</li>
 * <li>{@code missing_scope}: the ISO library read checking the key's {@code read:vm} met a 403 and the
 * VPS list is refused too. A library or VPS list read that works ends it.</li>
 * </ul>
 * An answer "shows the key working" when HostUp evaluated the call: 2xx, 400, 404, 409. A 429, 5xx or
 * transport failure says nothing about the key. A hold for a missing write scope ends only with a
 * working answer of the endpoint that was refused: the probe lets one held call try it ({@link #grantTrial()}).
 * When the last held call gives up (deadline, hand-over), the hold lifts: the next request tries the key.
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

    private final KeyListeners listeners = new KeyListeners();
    private final WorkerMetrics metrics;
    private final int stormVpss;
    private final String account;
    private volatile Reason hold;
    /** For a missing write scope: the endpoint only a working answer of ends the hold; null: any working answer. */
    private volatile Endpoint trialEndpoint;
    /** Holds started so far: a prober tells a new hold from the one it was probing. */
    private volatile long holds;
    /** VPSs answered 403 (unsettled by the probe) since the last answer that showed the key working. */
    private final Set<String> forbiddenStreak = new HashSet<>();
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

    public String account() { return account; }

    private boolean isDefault() {
        return Account.DEFAULT.equals(account);
    }

    /** Whether intake is held for the key (any reason). */
    public boolean isRejected() {
        return hold != null;
    }

    public Optional<Reason> hold() { return Optional.ofNullable(hold); }

    /** Whether a VPS list that works ends the current hold (else only a trial of the refused endpoint does). */
    public boolean listProbeEnds() { return trialEndpoint == null; }

    /** How many holds have started so far. */
    public long holdsStarted() { return holds; }

    /** Whether an ISO library read has worked since start-up or the last hold (the key has {@code read:vm}). */
    public boolean readScopeProven() {
        return readScopeProven;
    }

    /** HostUp answered {@code status} (any but 401/403) to a call to {@code endpoint}. */
    public void answered(Endpoint endpoint, int status) {
        boolean working = status / 100 == 2 || status == 400 || status == 404 || status == 409;
        boolean read = status / 100 == 2 && (endpoint == Endpoint.ISO_LIST || endpoint == Endpoint.VPS_LIST);
        Reason released;
        synchronized (this) {
            if (working) {
                forbiddenStreak.clear();
                readScopeProven |= read;
            }
            Endpoint trial = trialEndpoint;
            boolean releases = hold == Reason.UNAUTHORIZED
                    || working && hold == Reason.FORBIDDEN && (trial == null || trial == endpoint)
                    || working && hold == Reason.MISSING_SCOPE && readScopeProven;
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
        hold(Reason.UNAUTHORIZED, null);
    }

    /**
     * The probe found a 403 key-wide: the VPS list is refused too ({@code endpoint} null; a 403 met
     * checking the read scope is {@code missing_scope}), or the refused call's VPS is one the key may
     * use ({@code endpoint}: the scope it needs is missing, only a trial of it ends the hold).
     */
    public void forbiddenKeyWide(Endpoint refused, boolean vpsListed) {
        boolean readCheck = refused == Endpoint.ISO_LIST && !readScopeProven;
        hold(readCheck && !vpsListed ? Reason.MISSING_SCOPE : Reason.FORBIDDEN, vpsListed ? refused : null);
    }

    /**
     * The probe got a 403 for the VPS list itself while the key was held for a 401: the key
     * authenticates again but is refused everything (an IP restriction, or no {@code read:vm}).
     */
    public void listForbidden() {
        if (hold == Reason.UNAUTHORIZED) {
            hold(Reason.FORBIDDEN, null);
        }
    }

    /**
     * A 403 for {@code vpsId} that the probe could not settle (the VPS list answered 429/5xx or not at
     * all): 403s for {@code stormVpss} different VPSs in a row hold the key.
     */
    public void forbiddenUnsettled(String vpsId) {
        boolean start;
        synchronized (this) {
            forbiddenStreak.add(vpsId);
            start = forbiddenStreak.size() >= stormVpss && hold == null;
        }
        if (start) {
            hold(Reason.FORBIDDEN, null);
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
        listeners.waiting();
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

    /** A call of this account starts waiting for a hold it did not meet itself; run the handle once when it stops. */
    public Runnable parkedCall() {
        synchronized (this) {
            parkedCalls++;
        }
        listeners.waiting();
        boolean[] done = new boolean[1];
        return () -> {
            synchronized (this) {
                if (!done[0]) {
                    done[0] = true;
                    parkedCalls--;
                }
            }
        };
    }

    /** Runs {@code listener} each time a call starts waiting for this key (held or parked). */
    public void onWaiting(Runnable listener) {
        listeners.onWaiting(listener);
    }

    /** Calls waiting for this key: held ones and parked ones. */
    public synchronized int waitingCalls() {
        return heldCalls + parkedCalls;
    }

    /** Runs {@code listener} once, when the current hold ends (at once if there is none); the handle unregisters it. */
    public Runnable whenAccepted(Runnable listener) {
        return listeners.whenAccepted(listener, hold == null);
    }

    /**
     * Runs {@code listener} once, when the probe lets this held call try its own call again (a hold
     * only that call can end), or the hold ends; the handle unregisters it.
     */
    public Runnable whenTrial(Runnable listener) {
        return listeners.whenTrial(listener);
    }

    /** Lets one held call waiting for a trial try again; false when none waits. */
    public boolean grantTrial() {
        return listeners.grantTrial();
    }

    /** The account's key was replaced: whatever held the old key says nothing about the new one. */
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

    private void hold(Reason reason, Endpoint trial) {
        Reason before;
        synchronized (this) {
            before = hold;
            hold = reason;
            trialEndpoint = trial;
            readScopeProven = false; // after a hold, the next download re-checks the key's read scope first
            if (before == null) {
                holds++;
            }
        }
        if (before == reason) {
            return;
        }
        if (isDefault()) {
            metrics.apiKeyRejected(true);
        }
        metrics.apiKeyHold(account, reason.tag());
        KeyHoldLog.started(account, reason, trial, stormVpss);
    }

    private void released(Reason reason, String message) {
        Reason now = hold;
        if (isDefault()) {
            metrics.apiKeyRejected(now != null);
        }
        metrics.apiKeyHold(account, now == null ? null : now.tag());
        KeyHoldLog.released(account, message);
        listeners.released();
    }

    /** Runs {@code listener} each time a hold ends. */
    public void onAccepted(Runnable listener) {
        listeners.onAccepted(listener);
    }
}
