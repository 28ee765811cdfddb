package dev.hostupiso.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Optional;

/** How to reach HostUp's API ({@code hostup.api.*}, or {@code HOSTUP_API_*} in the environment). */
@ConfigMapping(prefix = "hostup.api")
public interface HostUpConfig {

    /** Base URL of the API; {@code pollUrl}s are relative to it ({@code HOSTUP_API_URL}). */
    @WithDefault("https://cloud.hostup.se")
    String url();

    /**
     * The API key, sent as {@code Authorization: Bearer} ({@code HOSTUP_API_TOKEN}). Required: the
     * worker refuses to start without it. Needs scopes {@code read:vm}, {@code write:vm} and
     * {@code write:storage}. Never logged.
     */
    Optional<String> token();

    /** Timeout of one HTTP call, connect included ({@code HOSTUP_API_REQUEST_TIMEOUT}). */
    @WithName("request-timeout")
    @WithDefault("30s")
    Duration requestTimeout();

    /** HTTP connections kept open to the API ({@code HOSTUP_API_MAX_CONNECTIONS}). */
    @WithName("max-connections")
    @WithDefault("20")
    int maxConnections();
}
