package dev.hostupiso.worker.hostup;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code X-RateLimit-Limit}, {@code -Remaining} and {@code -Reset}. HostUp sends the reset as an
 * ISO-8601 timestamp, not epoch seconds; an epoch value is still accepted for robustness.
 */
public record RateLimitHeaders(OptionalInt limit, OptionalInt remaining, Optional<Instant> reset) {

    public static Optional<RateLimitHeaders> parse(String limit, String remaining, String reset) {
        RateLimitHeaders h = new RateLimitHeaders(parseInt(limit), parseInt(remaining), parseInstant(reset));
        return h.limit.isEmpty() && h.remaining.isEmpty() && h.reset.isEmpty() ? Optional.empty() : Optional.of(h);
    }

    static OptionalInt parseInt(String v) {
        if (v == null) {
            return OptionalInt.empty();
        }
        try {
            int i = Integer.parseInt(v.trim());
            return i < 0 ? OptionalInt.empty() : OptionalInt.of(i);
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    static Optional<Instant> parseInstant(String v) {
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        String s = v.trim();
        try {
            return Optional.of(OffsetDateTime.parse(s).toInstant());
        } catch (DateTimeParseException notIso) {
            try {
                return Optional.of(Instant.parse(s));
            } catch (DateTimeParseException notInstant) {
                if (s.chars().allMatch(Character::isDigit) && s.length() <= 12) {
                    return Optional.of(Instant.ofEpochSecond(Long.parseLong(s)));
                }
                return Optional.empty();
            }
        }
    }
}
