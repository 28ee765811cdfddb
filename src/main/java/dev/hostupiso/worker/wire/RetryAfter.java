package dev.hostupiso.worker.wire;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Parses {@code Retry-After} (RFC 9110 §10.2.3): delta-seconds or an HTTP-date in any of the three
 * formats RFC 9110 §5.6.7 requires recipients to read: IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}),
 * the obsolete RFC 850 ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and asctime ({@code Sun Nov  6 08:49:37 1994}).
 * An HTTP-date is measured against the response's own {@code Date} header when present, so a skewed
 * local clock does not stretch or cut the wait. Zero, past dates and garbage yield empty: the caller
 * then falls back to its backoff.
 */
public final class RetryAfter {

    private RetryAfter() {
    }

    /** Stands for a delta-seconds too large for a {@code long}: far beyond any ceiling the caller applies. */
    static final Duration VERY_LONG = Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L);

    /** The {@code Retry-After} of an answer, read against the answer's own {@code Date}. */
    public static Optional<Duration> of(ApiResponse response, Instant now) {
        return parse(response.retryAfter().orElse(null), response.date().orElse(null), now);
    }

    /**
     * The wait {@code value} asks for: positive, or empty for zero, the past and anything that is neither
     * delta-seconds (ASCII digits only) nor an HTTP-date. Never throws.
     */
    public static Optional<Duration> parse(String value, String dateHeader, Instant now) {
        if (value == null) {
            return Optional.empty();
        }
        String v = ows(value);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (isAsciiDigits(v)) {
            String digits = v.replaceFirst("^0+", "");
            if (digits.isEmpty()) {
                return Optional.empty(); // zero: no wait asked for, so backoff applies
            }
            // 18 digits always fit a long; more is "very long", and the caller clamps it anyway.
            return Optional.of(digits.length() > 18 ? VERY_LONG : Duration.ofSeconds(Long.parseLong(digits)));
        }
        Optional<Instant> until = httpDate(v, now);
        if (until.isEmpty()) {
            return Optional.empty();
        }
        Instant reference = now;
        Optional<Instant> serverNow = httpDate(dateHeader, now);
        if (serverNow.isPresent()) {
            reference = serverNow.get();
        }
        Duration wait = Duration.between(reference, until.get());
        return wait.isNegative() || wait.isZero() ? Optional.empty() : Optional.of(wait);
    }

    /** {@code s} without the optional white space (spaces and tabs, RFC 9110 §5.6.3) around a header value. */
    static String ows(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    static boolean isAsciiDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /** An HTTP-date in any of RFC 9110's three formats ({@link HttpDate}), or empty. */
    public static Optional<Instant> httpDate(String v, Instant now) {
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        return HttpDate.parse(ows(v), now);
    }
}
