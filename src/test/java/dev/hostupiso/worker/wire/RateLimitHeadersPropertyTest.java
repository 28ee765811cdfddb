package dev.hostupiso.worker.wire;

import dev.hostupiso.worker.hostup.HostileText;
import dev.hostupiso.worker.testsupport.Coverage;
import dev.hostupiso.worker.testsupport.Text;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;

import static dev.hostupiso.worker.testsupport.Theories.qt;
import static dev.hostupiso.worker.testsupport.Theories.shown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/** {@code X-RateLimit-*}: garbage leaves a field empty, counts are exact, remaining never exceeds the limit. */
class RateLimitHeadersPropertyTest {

    @Test
    void anyHeadersParseWithoutSurprises() {
        Coverage coverage = new Coverage("anyHeadersParseWithoutSurprises");
        qt(15_000).forAll(counts(), counts(), resets()).checkAssert((limit, remaining, reset) -> {
            coverage.count();
            Optional<RateLimitHeaders> parsed = RateLimitHeaders.parse(limit, remaining, reset);
            OptionalInt expectedLimit = count(limit);
            OptionalInt expectedRemaining = count(remaining);
            coverage.collect("limit", expectedLimit.isPresent());
            coverage.collect("reset", parsed.flatMap(RateLimitHeaders::reset).isPresent());

            if (parsed.isEmpty()) {
                assertThat(expectedLimit).isEmpty();
                assertThat(expectedRemaining).isEmpty();
                return;
            }
            RateLimitHeaders h = parsed.get();
            assertThat(h.limit()).isEqualTo(expectedLimit);
            if (expectedRemaining.isPresent() && expectedLimit.isPresent()) {
                assertThat(h.remaining()).hasValue(Math.min(expectedRemaining.getAsInt(), expectedLimit.getAsInt()));
            } else {
                assertThat(h.remaining()).isEqualTo(expectedRemaining);
            }
            assertThat(h.limit().isPresent() || h.remaining().isPresent() || h.reset().isPresent()).isTrue();
        });
        coverage.print().requireMoreThan("limit", true, 10).requireMoreThan("limit", false, 10).requireMoreThan("reset", true, 10);
    }

    @Test
    void resetIsTheInstantSentInAnyForm() {
        Coverage coverage = new Coverage("resetIsTheInstantSentInAnyForm");
        qt(10_000).forAll(instants(), offsets()).checkAssert((at, offset) -> {
            coverage.count();
            String iso = OffsetDateTime.ofInstant(at, offset).toString();
            assertThat(RateLimitHeaders.parse(null, null, iso).flatMap(RateLimitHeaders::reset)).contains(at);
            assertThat(RateLimitHeaders.parse(null, null, at.toString()).flatMap(RateLimitHeaders::reset)).contains(at);
            Instant whole = Instant.ofEpochSecond(at.getEpochSecond());
            assertThat(RateLimitHeaders.parse(null, null, Long.toString(whole.getEpochSecond())).flatMap(RateLimitHeaders::reset))
                    .contains(whole);
        });
        coverage.print();
    }

    /** The oracle: ASCII digits (after trimming) with a value that fits an int. */
    private static OptionalInt count(String v) {
        if (v == null) {
            return OptionalInt.empty();
        }
        String s = v.replaceAll("^[ \t]+|[ \t]+$", "");
        if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalInt.empty();
        }
        BigInteger b = new BigInteger(s);
        return b.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0 ? OptionalInt.empty() : OptionalInt.of(b.intValue());
    }

    private static Gen<String> counts() {
        return shown(Generate.oneOf(
                integers().between(0, 10_000).map(Object::toString),
                Generate.pick(Arrays.asList("2147483647", "2147483648", "0002147483647", "99999999999999999999", "-1", "+5", "1.0", "\u0663",
                        " 7 ", "\t12", "", " ")),
                Text.digits().ofLength(1, 15),
                HostileText.shortText(),
                Generate.constant((String) null)));
    }

    private static Gen<String> resets() {
        return shown(Generate.oneOf(
                instants().map(Instant::toString),
                longs().between(0, 999_999_999_999L).map(Object::toString),
                Generate.pick(Arrays.asList("2026-13-01T00:00:00Z", "2026-11-27T10:00:00", "1e9", "9999999999999", "now", "")),
                HostileText.shortText(),
                Generate.constant((String) null)));
    }

    private static Gen<Instant> instants() {
        return longs().between(0, 253_402_300_799L).zip(integers().between(0, 999_999_999), (s, n) -> Instant.ofEpochSecond(s, n));
    }

    private static Gen<ZoneOffset> offsets() {
        return integers().between(-18 * 3600, 18 * 3600).map(ZoneOffset::ofTotalSeconds);
    }
}
