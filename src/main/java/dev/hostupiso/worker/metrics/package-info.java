/**
 * Shared kernel: one class owns every metric name the worker publishes ({@code WorkerMetrics}); the account
 * meters it delegates to ({@code AccountMeters}) use its names.
 * <p>
 * May import: {@code wire}.
 */
package dev.hostupiso.worker.metrics;
