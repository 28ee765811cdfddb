package dev.hostupiso.worker.wire;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code X-RateLimit-Limit}, {@code -Remaining} and {@code -Reset}. HostUp sends the reset as an
 * ISO-8601 timestamp, not epoch seconds; an epoch value is still accepted for robustness. Counts
 * are ASCII digits (around them only spaces and tabs) within an {@code int}; anything else leaves that field empty. A remaining count
 * above the limit is inconsistent and taken as the limit (never assume more budget than a window has).
 */
public record RateLimitHeaders(OptionalInt limit, OptionalInt remaining, Optional<Instant> reset) {

    public RateLimitHeaders {
        limit = limit == null ? OptionalInt.empty() : limit;
        remaining = remaining == null ? OptionalInt.empty() : remaining;
        reset = reset == null ? Optional.empty() : reset;
        if (limit.isPresent() && remaining.isPresent() && remaining.getAsInt() > limit.getAsInt()) {
            remaining = limit;
        }
    }

    public static Optional<RateLimitHeaders> parse(String limit, String remaining, String reset) {
        RateLimitHeaders h = new RateLimitHeaders(parseInt(limit), parseInt(remaining), parseInstant(reset));
        return h.limit.isEmpty() && h.remaining.isEmpty() && h.reset.isEmpty() ? Optional.empty() : Optional.of(h);
    }

    static OptionalInt parseInt(String v) {
        if (v == null) {
            return OptionalInt.empty();
        }
        String s = RetryAfter.ows(v).replaceFirst("^0+(?=.)", "");
        if (!RetryAfter.isAsciiDigits(s) || s.length() > 10) {
            return OptionalInt.empty();
        }
        long l = Long.parseLong(s);
        return l > Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of((int) l);
    }

    static Optional<Instant> parseInstant(String v) {
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        String s = RetryAfter.ows(v);
        try {
            return Optional.of(OffsetDateTime.parse(s).toInstant());
        } catch (DateTimeParseException notIso) {
            try {
                return Optional.of(Instant.parse(s));
            } catch (DateTimeParseException notInstant) {
                if (RetryAfter.isAsciiDigits(s) && s.length() <= 12) {
                    return Optional.of(Instant.ofEpochSecond(Long.parseLong(s)));
                }
                return Optional.empty();
            }
        }
    }
}
