package dev.hostupiso.worker.hostup;

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
}
