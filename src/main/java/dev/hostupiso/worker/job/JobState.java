package dev.hostupiso.worker.job;

/**
 * Where a request is in its life, as recorded in the job ledger:
 * <pre>
 * RECEIVED ──▶ SUBMITTING ──from-url 202──▶ SUBMITTED ──job completed──▶ RESOLVING ──ISO id found──▶ COMPLETED
 *                  │  └──from-url 200 / ISO found in the library──────────────────▶ RESOLVING     │ mount asked
 *                  │                                                                    MOUNTING ──mounted──▶ COMPLETED
 *    └──────────── any failure, deadline or local validation ─────────────────────────────────▶ FAILED
 * </pre>
 * SUBMITTING is recorded right before each from-url call goes on the wire: it says "a download may
 * have been queued", so whoever resumes such a job reads the ISO library before it would call
 * from-url again. An answer that proves nothing was queued (a refusal) goes back to RECEIVED.
 * MOUNTING is recorded before the mount call, and again with the mount job's poll URL after a 202:
 * whoever resumes it polls that job, or reads the VPS's mounted ISOs before it would mount again.
 */
public enum JobState {
    RECEIVED, SUBMITTING, SUBMITTED, RESOLVING, MOUNTING, COMPLETED, FAILED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED;
    }
}
