/**
 * Shared kernel: one class owns every metric name the worker publishes.
 * <p>
 * May import: {@code wire}.
 */
package dev.hostupiso.worker.metrics;
