package dev.hostupiso.worker.job;

/**
 * Where a request is in its life, as recorded in the job ledger:
 * <pre>
 * RECEIVED ──from-url 202──▶ SUBMITTED ──job completed──▶ RESOLVING ──ISO id found──▶ COMPLETED
 *    │  └──from-url 200───────────────────────────────────▶ RESOLVING
 *    └──────────── any failure, deadline or local validation ─────────────────────────▶ FAILED
 * </pre>
 */
public enum JobState {
    RECEIVED, SUBMITTED, RESOLVING, COMPLETED, FAILED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED;
    }
}
