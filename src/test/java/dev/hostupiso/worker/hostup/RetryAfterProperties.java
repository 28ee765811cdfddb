package dev.hostupiso.worker.hostup;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.statistics.Statistics;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code Retry-After}: any header value gives a positive wait or none, and both forms agree. */
class RetryAfterProperties {

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final long MIN_EPOCH = Instant.parse("1970-01-01T00:00:00Z").getEpochSecond();
    private static final long MAX_EPOCH = Instant.parse("9000-01-01T00:00:00Z").getEpochSecond();

    @Property(tries = 15_000)
    void anyValueGivesAPositiveWaitOrNone(@ForAll("headerValues") String value, @ForAll("headerValues") String date,
                                          @ForAll @LongRange(min = 0, max = 253_402_300_799L) long nowSeconds) {
        Optional<Duration> wait = RetryAfter.parse(value, date, Instant.ofEpochSecond(nowSeconds));
        Statistics.label("wait").collect(wait.isPresent());
        Statistics.label("wait").coverage(c -> {
            c.check(true).percentage(p -> p > 10);
            c.check(false).percentage(p -> p > 10);
        });
        wait.ifPresent(w -> assertThat(w).isPositive());
        String v = value == null ? "" : value.replaceAll("^[ \t]+|[ \t]+$", "");
        if (!v.isEmpty() && v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            boolean zero = v.chars().allMatch(ch -> ch == '0');
            assertThat(wait.isPresent()).as("delta-seconds %s", v).isEqualTo(!zero);
        }
    }

    @Property(tries = 10_000)
    void deltaSecondsAndHttpDateAgree(@ForAll @LongRange(min = 1, max = 50_000_000) long seconds,
                                      @ForAll("epochSeconds") long serverNow, @ForAll @LongRange(min = -86_400, max = 86_400) long skew,
                                      @ForAll boolean withDateHeader) {
        Instant server = Instant.ofEpochSecond(serverNow);
        Instant local = withDateHeader ? server.plusSeconds(skew) : server;
        String date = withDateHeader ? HTTP_DATE.format(server) : null;
        Optional<Duration> delta = RetryAfter.parse(Long.toString(seconds), date, local);
        Optional<Duration> httpDate = RetryAfter.parse(HTTP_DATE.format(server.plusSeconds(seconds)), date, local);
        assertThat(delta).contains(Duration.ofSeconds(seconds));
        assertThat(httpDate).isEqualTo(delta);
        assertThat(RetryAfter.parse(HTTP_DATE.format(server.minusSeconds(seconds - 1)), date, local)).isEmpty();
    }

    @Property(tries = 10_000)
    void garbageGivesNoWait(@ForAll("garbage") String value) {
        assertThat(RetryAfter.parse(value, null, Instant.EPOCH)).isEmpty();
        assertThat(RetryAfter.parse(value, value, Instant.EPOCH)).isEmpty();
    }

    @Provide
    Arbitrary<Long> epochSeconds() {
        return Arbitraries.longs().between(MIN_EPOCH, MAX_EPOCH);
    }

    @Provide
    Arbitrary<String> headerValues() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 1_000_000).map(Object::toString),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(40),
                Arbitraries.strings().withChars("0 \t").ofMaxLength(6),
                Arbitraries.longs().between(0, MAX_EPOCH).map(s -> HTTP_DATE.format(Instant.ofEpochSecond(s))),
                HostileText.shortText(),
                Arbitraries.just(null));
    }

    /** Never a number nor a date: a char neither can hold, non-ASCII digits, signs, fractions. */
    @Provide
    Arbitrary<String> garbage() {
        return Arbitraries.oneOf(
                net.jqwik.api.Combinators.combine(HostileText.shortText(), Arbitraries.of("@", "?", "\u0000", "é", "😀", "\ud800", "_"),
                        HostileText.shortText()).as((a, b, c) -> a + b + c),
                Arbitraries.of("-3", "+5", "1.5", "1e3", "0x10", "\u0663", "\uff15", "\u0000", " \u0000 ", "NaN", "Infinity",
                        "Fri, 31 Feb 2026 10:00:00 GMT", "Fri, 27 Nov 2026 25:00:00 GMT", "27 Nov 2026", "tomorrow"));
    }
}
