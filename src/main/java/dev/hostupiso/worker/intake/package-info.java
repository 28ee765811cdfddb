/**
 * Adapter: Kafka in. The request consumer, the request reader and parser, and the dead-letter
 * publisher for records that cannot be answered.
 * <p>
 * May import: {@code dispatch}, {@code job}, {@code wire}, {@code kafka}, the kernel.
 */
package dev.hostupiso.worker.intake;
