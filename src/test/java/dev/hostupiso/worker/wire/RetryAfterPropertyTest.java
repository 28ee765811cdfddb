package dev.hostupiso.worker.wire;

import dev.hostupiso.worker.hostup.HostileText;
import dev.hostupiso.worker.testsupport.Coverage;
import dev.hostupiso.worker.testsupport.Text;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Optional;

import static dev.hostupiso.worker.testsupport.Theories.qt;
import static dev.hostupiso.worker.testsupport.Theories.shown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.longs;

/** {@code Retry-After}: any header value gives a positive wait or none, and both forms agree. */
class RetryAfterPropertyTest {

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final long MIN_EPOCH = Instant.parse("1970-01-01T00:00:00Z").getEpochSecond();
    private static final long MAX_EPOCH = Instant.parse("9000-01-01T00:00:00Z").getEpochSecond();

    @Test
    void anyValueGivesAPositiveWaitOrNone() {
        Coverage coverage = new Coverage("anyValueGivesAPositiveWaitOrNone");
        qt(15_000).forAll(headerValues(), headerValues(), longs().between(0, 253_402_300_799L)).checkAssert((value, date, nowSeconds) -> {
            coverage.count();
            Optional<Duration> wait = RetryAfter.parse(value, date, Instant.ofEpochSecond(nowSeconds));
            coverage.collect("wait", wait.isPresent());
            wait.ifPresent(w -> assertThat(w).isPositive());
            String v = value == null ? "" : value.replaceAll("^[ \t]+|[ \t]+$", "");
            if (!v.isEmpty() && v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                boolean zero = v.chars().allMatch(ch -> ch == '0');
                assertThat(wait.isPresent()).as("delta-seconds %s", v).isEqualTo(!zero);
            }
        });
        coverage.print().requireMoreThan("wait", true, 10).requireMoreThan("wait", false, 10);
    }

    @Test
    void deltaSecondsAndHttpDateAgree() {
        Coverage coverage = new Coverage("deltaSecondsAndHttpDateAgree");
        qt(10_000).forAll(longs().between(1, 50_000_000), epochSeconds(), longs().between(-86_400, 86_400), booleans().all())
                .checkAssert((seconds, serverNow, skew, withDateHeader) -> {
                    coverage.count();
                    Instant server = Instant.ofEpochSecond(serverNow);
                    Instant local = withDateHeader ? server.plusSeconds(skew) : server;
                    String date = withDateHeader ? HTTP_DATE.format(server) : null;
                    Optional<Duration> delta = RetryAfter.parse(Long.toString(seconds), date, local);
                    Optional<Duration> httpDate = RetryAfter.parse(HTTP_DATE.format(server.plusSeconds(seconds)), date, local);
                    assertThat(delta).contains(Duration.ofSeconds(seconds));
                    assertThat(httpDate).isEqualTo(delta);
                    assertThat(RetryAfter.parse(HTTP_DATE.format(server.minusSeconds(seconds - 1)), date, local)).isEmpty();
                });
        coverage.print();
    }

    @Test
    void garbageGivesNoWait() {
        Coverage coverage = new Coverage("garbageGivesNoWait");
        qt(10_000).forAll(garbage()).checkAssert(value -> {
            coverage.count();
            assertThat(RetryAfter.parse(value, null, Instant.EPOCH)).isEmpty();
            assertThat(RetryAfter.parse(value, value, Instant.EPOCH)).isEmpty();
        });
        coverage.print();
    }

    private static Gen<Long> epochSeconds() {
        return longs().between(MIN_EPOCH, MAX_EPOCH);
    }

    private static Gen<String> headerValues() {
        return shown(Generate.oneOf(
                longs().between(0, 1_000_000).map(Object::toString),
                Text.digits().ofLength(1, 40),
                Text.chars("0 \t").ofMaxLength(6),
                longs().between(0, MAX_EPOCH).map(s -> HTTP_DATE.format(Instant.ofEpochSecond(s))),
                HostileText.shortText(),
                Generate.constant((String) null)));
    }

    /** Never a number nor a date: a char neither can hold, non-ASCII digits, signs, fractions. */
    private static Gen<String> garbage() {
        return shown(Generate.oneOf(
                HostileText.shortText().zip(Generate.pick(Arrays.asList("@", "?", "\u0000", "é", "😀", "\ud800", "_")),
                        HostileText.shortText(), (a, b, c) -> a + b + c),
                Generate.pick(Arrays.asList("-3", "+5", "1.5", "1e3", "0x10", "\u0663", "\uff15", "\u0000", " \u0000 ", "NaN", "Infinity",
                        "Fri, 31 Feb 2026 10:00:00 GMT", "Fri, 27 Nov 2026 25:00:00 GMT", "27 Nov 2026", "tomorrow"))));
    }
}
