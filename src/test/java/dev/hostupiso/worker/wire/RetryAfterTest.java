package dev.hostupiso.worker.wire;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void deltaSeconds() {
        assertThat(RetryAfter.parse("5", null, NOW)).contains(Duration.ofSeconds(5));
        assertThat(RetryAfter.parse(" 120 ", null, NOW)).contains(Duration.ofSeconds(120));
    }

    @Test
    void zeroAndGarbageFallBackToBackoff() {
        assertThat(RetryAfter.parse("0", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("soon", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("-3", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("1.5", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse(null, null, NOW)).isEmpty();
    }

    @Test
    void hugeValuesStayHugeForTheCallerToClamp() {
        assertThat(RetryAfter.parse("99999999999999999999999", null, NOW)).hasValueSatisfying(d ->
                assertThat(d).isGreaterThan(Duration.ofDays(365)));
        assertThat(RetryAfter.parse("31536000", null, NOW)).contains(Duration.ofDays(365));
    }

    @Test
    void httpDateIsMeasuredAgainstTheResponseDateHeader() {
        // The server's clock is 10 minutes behind ours: its own Date header is the reference.
        String date = "Fri, 27 Nov 2026 09:50:00 GMT";
        String until = "Fri, 27 Nov 2026 09:50:30 GMT";
        assertThat(RetryAfter.parse(until, date, NOW)).contains(Duration.ofSeconds(30));
    }

    @Test
    void httpDateWithoutDateHeaderUsesLocalClock() {
        assertThat(RetryAfter.parse("Fri, 27 Nov 2026 10:00:07 GMT", null, NOW)).contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse("Fri, 27 Nov 2026 10:00:07 GMT", "not a date", NOW)).contains(Duration.ofSeconds(7));
    }

    @Test
    void httpDateInThePastFallsBack() {
        assertThat(RetryAfter.parse("Fri, 27 Nov 2026 09:59:00 GMT", null, NOW)).isEmpty();
    }

    @Test
    void onlyAsciiDigitsAndHttpWhiteSpaceMakeDeltaSeconds() {
        assertThat(RetryAfter.parse("\u0000", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("\u00009", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("\u0663", null, NOW)).isEmpty(); // ARABIC-INDIC DIGIT THREE
        assertThat(RetryAfter.parse("\t7 ", null, NOW)).contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse("0000000000000000000000000", null, NOW)).isEmpty();
    }

    @Test
    void allThreeHttpDateFormatsOfRfc9110AreRead() {
        // RFC 9110 section 5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime formats a recipient must accept.
        assertThat(RetryAfter.parse("Fri, 27 Nov 2026 10:00:07 GMT", null, NOW)).contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse("Friday, 27-Nov-26 10:00:07 GMT", null, NOW)).contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse("Fri Nov 27 10:00:07 2026", null, NOW)).contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse("Tue Dec  1 10:00:00 2026", null, NOW)).contains(Duration.ofDays(4));
        // The server's Date header may be in any of them too.
        assertThat(RetryAfter.parse("Fri Nov 27 09:50:30 2026", "Friday, 27-Nov-26 09:50:00 GMT", NOW))
                .contains(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("Friday, 27-Nov-26 09:50:30 GMT", "Fri Nov 27 09:50:00 2026", NOW))
                .contains(Duration.ofSeconds(30));
    }

    @Test
    void anRfc850TwoDigitYearIsNeverMoreThanFiftyYearsAhead() {
        // From 2026: "76" is 2076 (50 years ahead), "77" would be 2077, more than 50 years ahead, so 1977.
        assertThat(RetryAfter.parse("Wednesday, 01-Jan-76 00:00:00 GMT", null, NOW)).hasValueSatisfying(d ->
                assertThat(d).isGreaterThan(Duration.ofDays(49 * 365)));
        assertThat(RetryAfter.parse("Saturday, 01-Jan-77 00:00:00 GMT", null, NOW)).isEmpty(); // 1977, in the past
        assertThat(RetryAfter.parse("Friday, 01-Jan-77 00:00:00 GMT", null, NOW)).as("2077's day name").isEmpty();
        assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", null, NOW)).isEmpty();
    }

    @Test
    void datesThatAreNoneOfTheThreeFallBack() {
        assertThat(RetryAfter.parse("2026-11-27T10:00:07Z", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("tomorrow at ten", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("Fri, 32 Nov 2026 10:00:07 GMT", null, NOW)).isEmpty();
        // Dates that do not exist, in each format (28 February 2027 is a Sunday).
        assertThat(RetryAfter.parse("Sun, 31 Feb 2027 10:00:00 GMT", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("Sunday, 31-Feb-27 10:00:00 GMT", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("Sun Feb 31 10:00:00 2027", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("Sun, 28 Feb 2027 10:00:00 GMT", null, NOW)).isPresent();
        // A day name that is not the date's, text around a date, the wrong case.
        assertThat(RetryAfter.parse("Monday, 27-Nov-26 10:00:07 GMT", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("Mon Nov 27 10:00:07 2026", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("x Fri Nov 27 10:00:07 2026", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("Fri Nov 27 10:00:07 2026 GMT", null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("FRIDAY, 27-NOV-26 10:00:07 GMT", null, NOW)).isEmpty();
    }
}
