/**
 * Shared kernel: the one way to wait and try again ({@code AsyncLoop}) and the non-blocking timers it
 * waits on ({@code Delays}).
 * <p>
 * May import: {@code wire}.
 */
package dev.hostupiso.worker.timing;
