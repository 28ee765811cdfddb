/**
 * Adapter support: the Kafka client settings the adapters share and topic provisioning at start-up.
 * <p>
 * May import: {@code wire}, the kernel.
 */
package dev.hostupiso.worker.kafka;
