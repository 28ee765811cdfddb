package dev.hostupiso.worker.hostup;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Parses {@code Retry-After} (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. An HTTP-date is
 * measured against the response's own {@code Date} header when present, so a skewed local clock
 * does not stretch or cut the wait. Zero, past dates and garbage yield empty: the caller then falls
 * back to its backoff.
 */
public final class RetryAfter {

    private RetryAfter() {
    }

    public static Optional<Duration> parse(String value, String dateHeader, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                long seconds = Long.parseLong(v);
                return seconds > 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
            } catch (NumberFormatException overflow) {
                // More digits than a long holds: far beyond any ceiling, so treat as "very long".
                return Optional.of(Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L));
            }
        }
        Optional<Instant> until = httpDate(v);
        if (until.isEmpty()) {
            return Optional.empty();
        }
        Instant reference = httpDate(dateHeader).orElse(now);
        Duration wait = Duration.between(reference, until.get());
        return wait.isNegative() || wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    static Optional<Instant> httpDate(String v) {
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
