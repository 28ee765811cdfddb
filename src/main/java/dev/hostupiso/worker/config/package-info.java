/**
 * Shared kernel: the typed settings ({@code @ConfigMapping}), their start-up checks, the team topics
 * and the request channel's list of topics.
 * <p>
 * May import: {@code wire}.
 */
package dev.hostupiso.worker.config;
