package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.wire.Endpoint;
import org.jboss.logging.Logger;

import java.util.Locale;

/** What a key hold says to the operator: when it starts, the reason and where the key is configured; when it ends, that work resumes. */
final class KeyHoldLog {

    private static final Logger LOG = Logger.getLogger(KeyHoldLog.class);

    private KeyHoldLog() {
    }

    static void started(String account, ApiKeyState.Reason reason, Endpoint endpoint, int stormVpss) {
        boolean isDefault = Account.DEFAULT.equals(account);
        String key = isDefault ? "the API key" : "account " + account + "'s API key";
        String where = isDefault ? "HOSTUP_API_TOKEN"
                : "HOSTUP_ACCOUNTS_" + account.toUpperCase(Locale.ROOT).replace('-', '_') + "_TOKEN or the file "
                + account + " in HOSTUP_ACCOUNTS_DIR";
        String why = switch (reason) {
            case UNAUTHORIZED -> "rejects " + key + " (401). Check " + where + " (revoked or expired).";
            case FORBIDDEN -> endpoint != null
                    ? "forbids " + endpoint.tag() + " (403) for a VPS that " + key + " may use: it lacks a scope "
                    + "(write:vm, write:storage)."
                    : "forbids " + key + " calls that do not depend on any request (403), or calls for " + stormVpss
                    + " different VPSs in a row. Check its IP restriction and scopes (read:vm, write:vm, write:storage).";
            case MISSING_SCOPE -> "forbids reading the ISO library and the VPS list (403): " + key
                    + " lacks scope read:vm (or its IP restriction excludes this worker).";
        };
        LOG.error("HostUp " + why + (isDefault ? " Intake stopped, readiness DOWN, in-flight requests held and the key probed."
                : " This account's requests wait (recorded in the job ledger) while the key is probed; other accounts go on."));
    }

    static void released(String account, String message) {
        LOG.info(message + (Account.DEFAULT.equals(account) ? ": resuming intake" : ": resuming account " + account + "'s requests"));
    }
}
