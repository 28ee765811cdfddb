package dev.hostupiso.worker.simulator;

import com.sun.net.httpserver.Headers;

import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may call, how often: the API keys and their scopes, the per-key rate limit with its {@code X-RateLimit-*}
 * headers, revoked keys and IP restriction. Checks in the API's order: rate limit (429), authentication (401),
 * IP restriction (403); the scopes (403) come after routing.
 */
final class AccessGate {

    private static final String ANONYMOUS = "\u0000anonymous";

    private final Map<String, Set<String>> tokens = new ConcurrentHashMap<>();
    /** Calls presented with each key (known or not), per VPS: which key a client used, without recording the key. */
    private final Map<String, Map<String, java.util.concurrent.atomic.AtomicLong>> callsByKey = new ConcurrentHashMap<>();
    private final RateLimiter rateLimiter = new RateLimiter();
    private volatile boolean rejectAll;
    private volatile boolean ipRestricted;
    private volatile Duration abusiveReset;

    AccessGate(Map<String, Set<String>> tokens) {
        this.tokens.putAll(tokens);
    }

    void addToken(String token, Set<String> scopes) {
        checkToken(token);
        tokens.put(token, Set.copyOf(Objects.requireNonNull(scopes, "scopes")));
    }

    void removeToken(String token) {
        if (token != null) {
            tokens.remove(token);
        }
    }

    void rejectAll(boolean reject) {
        this.rejectAll = reject;
    }

    void ipRestricted(boolean restricted) {
        this.ipRestricted = restricted;
    }

    void abusiveRateLimitHeaders(Duration ahead) {
        this.abusiveReset = ahead;
    }

    void resetPrecision(ResetPrecision precision) {
        rateLimiter.precision(precision);
    }

    void rateLimit(RateLimiter.Config config) {
        rateLimiter.configure(config);
    }

    /** Calls made with {@code token} for {@code vpsId} (for a poll: the VPS in its path, none). */
    long callsWith(String token, String vpsId) {
        var byVps = callsByKey.get(token);
        var n = byVps == null ? null : byVps.get(vpsId);
        return n == null ? 0 : n.get();
    }

    /** Back to normal: no rate limit, keys accepted, no IP restriction, honest headers. Keys are kept. */
    void reset() {
        rateLimiter.configure(null);
        rejectAll = false;
        ipRestricted = false;
        abusiveReset = null;
    }

    static void checkToken(String token) {
        if (token == null || token.isBlank() || token.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("API key must be non-blank and contain no whitespace");
        }
    }

    /** Counts the call against its key's window, then authenticates it; the refusal, or null to go on. */
    Reply admit(Call c) {
        String token = bearer(c.requestHeaders.getFirst("Authorization"));
        if (token != null) {
            callsByKey.computeIfAbsent(token, k -> new ConcurrentHashMap<>())
                    .computeIfAbsent(c.vpsId == null ? "" : c.vpsId, v -> new java.util.concurrent.atomic.AtomicLong())
                    .incrementAndGet();
        }
        c.scopes = token == null ? null : tokens.get(token);
        c.authenticated = c.scopes != null && !rejectAll;
        c.rate = rateLimiter.hit(token == null ? ANONYMOUS : token, c.at);
        if (c.rate != null && c.rate.exceeded()) {
            String retryAfter = c.rate.style() == RetryAfterStyle.HTTP_DATE
                    ? HostUpSimulator.httpDate(c.rate.retryAt(c.at))
                    : Long.toString(c.rate.retryAfterSeconds());
            c.header("Retry-After", retryAfter);
            return ProblemRenderer.problem(c, 429, "rate_limited", "Rate limit exceeded: " + c.rate.limit()
                    + " requests per window. Retry after " + retryAfter + ".");
        }
        if (!c.authenticated) {
            String detail = token == null ? "Missing or malformed Authorization header; expected 'Bearer <api key>'."
                    : rejectAll ? "The API key has been revoked or has expired." : "The API key is not valid.";
            c.header("WWW-Authenticate", "Bearer realm=\"hostup\"");
            return ProblemRenderer.problem(c, 401, "unauthorized", detail);
        }
        if (ipRestricted) {
            return ProblemRenderer.problem(c, 403, "forbidden", "The API key may not be used from this IP address.");
        }
        return null;
    }

    /** 403 if the call's key lacks a scope its endpoint needs, else null. */
    static Reply checkScopes(Call c) {
        List<String> missing = new ArrayList<>();
        for (String need : requiredScopes(c.endpoint)) {
            if (!c.scopes.contains(need)) {
                missing.add(need);
            }
        }
        if (missing.isEmpty()) {
            return null;
        }
        return ProblemRenderer.problem(c, 403, "forbidden", "The API key lacks the required scope(s): "
                + String.join(", ", missing) + ".");
    }

    /** The {@code X-RateLimit-*} headers of the answer to {@code c}: abusive ones, the window's, or none. */
    void rateHeaders(Call c, Headers h) {
        Duration abuse = abusiveReset;
        if (abuse != null) {
            h.set("X-RateLimit-Limit", "60");
            h.set("X-RateLimit-Remaining", "0");
            h.set("X-RateLimit-Reset", DateTimeFormatter.ISO_INSTANT.format(
                    c.now().plus(abuse).truncatedTo(ChronoUnit.SECONDS)));
        } else if (c.rate != null) {
            h.set("X-RateLimit-Limit", Integer.toString(c.rate.limit()));
            h.set("X-RateLimit-Remaining", Integer.toString(c.rate.remaining()));
            h.set("X-RateLimit-Reset", DateTimeFormatter.ISO_INSTANT.format(c.rate.resetHeaderInstant()));
        }
    }

    private static List<String> requiredScopes(Endpoint e) {
        switch (e) {
            case FROM_URL:
                return List.of(HostUpSimulator.WRITE_VM, HostUpSimulator.WRITE_STORAGE);
            case ISO_LIST:
            case VPS_LIST:
                return List.of(HostUpSimulator.READ_VM);
            case MOUNT:
            case UNMOUNT:
                return List.of(HostUpSimulator.WRITE_VM);
            default:
                return List.of();
        }
    }

    private static String bearer(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.length() < 8 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String t = h.substring(7).trim();
        if (t.isEmpty() || t.chars().anyMatch(Character::isWhitespace)) {
            return null;
        }
        return t;
    }
}
