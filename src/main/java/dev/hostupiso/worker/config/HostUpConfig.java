package dev.hostupiso.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
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
    @WithDefault("30s")
    Duration requestTimeout();

    /**
     * This instance's name, sent with every API call as {@code User-Agent: hostup-iso-worker (NAME)}
     * ({@code HOSTUP_API_INSTANCE_NAME}): by default the host name, in Kubernetes the pod's, so the calls of instances
     * sharing one key can be told apart on HostUp's side.
     */
    @WithDefault("${HOSTNAME:worker}")
    String instanceName();

    /** HTTP connections kept open to the API ({@code HOSTUP_API_MAX_CONNECTIONS}). */
    @WithDefault("20")
    int maxConnections();

    /**
     * Egress proxy for the API ({@code HOSTUP_API_PROXY}): {@code http://host:port} (HTTPS is tunnelled
     * through it with {@code CONNECT}) or {@code socks5://host:port}. Unset: direct connections. No
     * credentials in the URL (it is no secret and may be shown): use the two settings below.
     */
    Optional<String> proxy();

    /** User name for the proxy ({@code HOSTUP_API_PROXY_USERNAME}). */
    Optional<String> proxyUsername();

    /** Password for the proxy ({@code HOSTUP_API_PROXY_PASSWORD}). Never logged. */
    Optional<String> proxyPassword();

    /** Hosts reached without the proxy, comma-separated, {@code *.example.com} wildcards allowed ({@code HOSTUP_API_NON_PROXY_HOSTS}). */
    Optional<List<String>> nonProxyHosts();

    /**
     * A PEM bundle of CAs trusted for the API in addition to the JDK's default ones ({@code HOSTUP_API_CA_FILE}),
     * e.g. the CA of a TLS-inspecting egress proxy. Unreadable, or holding no certificate: the worker refuses to start.
     */
    Optional<String> caFile();
}
