/**
 * Adapter: the readiness and liveness checks (SmallRye Health) on the ledger and the API keys.
 * <p>
 * May import: {@code ledger}, {@code hostup}, {@code job}, {@code wire}, the kernel.
 */
package dev.hostupiso.worker.health;
