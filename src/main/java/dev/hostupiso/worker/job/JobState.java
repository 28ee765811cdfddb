package dev.hostupiso.worker.job;

/**
 * Where a request is in its life, as recorded in the job ledger:
 * <pre>
 * RECEIVED ──▶ SUBMITTING ──from-url 202──▶ SUBMITTED ──job completed──▶ RESOLVING ──ISO id found──▶ COMPLETED
 *                  │  └──from-url 200 / ISO found in the library──────────────────▶ RESOLVING     │ mount asked
 *                  │                                                                    MOUNTING ──mounted──▶ COMPLETED
 *    └──────────── any failure, deadline or local validation ─────────────────────────────────▶ FAILED
 * </pre>
 * SUBMITTING is recorded before every from-url call: it says "a download may have been queued",
 * so whoever resumes such a job reads the ISO library before it would call from-url again.
 * MOUNTING is recorded before the mount call: whoever resumes it reads the VPS's mounted ISOs
 * before it would mount again.
 */
public enum JobState {
    RECEIVED, SUBMITTING, SUBMITTED, RESOLVING, MOUNTING, COMPLETED, FAILED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED;
    }
}
