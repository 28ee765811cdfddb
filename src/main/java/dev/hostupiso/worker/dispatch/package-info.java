/**
 * Adapter: runs requests read from Kafka through the core. The dispatcher, the registry of requests in
 * flight, the intake gate, partition assignment, reclaim and hand-over, and shutdown.
 * <p>
 * May import: {@code job}, {@code ledger}, {@code hostup} (key state for the gate), {@code wire}, the kernel.
 */
package dev.hostupiso.worker.dispatch;
