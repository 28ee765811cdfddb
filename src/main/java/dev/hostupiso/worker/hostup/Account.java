package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.job.JobAccount;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One HostUp API key the worker holds, named: the default account ({@code HOSTUP_API_TOKEN}) or a
 * team's. HostUp limits and authorizes per key, so each account has its own rate limiter and its own
 * key state: a team whose key is revoked (or over its limit) waits alone.
 */
public final class Account implements JobAccount {

    /** The name of the account whose key is {@code HOSTUP_API_TOKEN}; a request without {@code account} uses it. */
    public static final String DEFAULT = "default";
    /** What a request's {@code account} must match (the request schema's pattern). */
    public static final Pattern NAME = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?(?![\\s\\S])");

    private final String name;
    private final HostUpRateLimiter limiter;
    private final ApiKeyState keyState;
    private volatile String token;

    public Account(String name, String token, HostUpRateLimiter limiter, ApiKeyState keyState) {
        if (!NAME.matcher(name).find()) {
            throw new IllegalArgumentException("not an account name: " + name);
        }
        this.name = name;
        this.token = requireToken(token);
        this.limiter = Objects.requireNonNull(limiter);
        this.keyState = Objects.requireNonNull(keyState);
    }

    @Override
    public String name() {
        return name;
    }

    public boolean isDefault() {
        return DEFAULT.equals(name);
    }

    public HostUpRateLimiter limiter() {
        return limiter;
    }

    public ApiKeyState keyState() {
        return keyState;
    }

    /** The {@code Authorization} header value; only the client reads it. */
    String authorization() {
        return "Bearer " + token;
    }

    /**
     * Uses {@code newToken} from the next call on. A different key ends a hold of the old one: the
     * new key is tried at once instead of after the held calls' backoff.
     */
    void replaceToken(String newToken) {
        String t = requireToken(newToken);
        if (!t.equals(token)) {
            token = t;
            keyState.keyReplaced();
        }
    }

    boolean hasToken(String candidate) {
        return token.equals(candidate);
    }

    private static String requireToken(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("empty API key");
        }
        return token.trim();
    }

    @Override
    public String toString() {
        return "account " + name; // never the key
    }
}
