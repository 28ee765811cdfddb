package dev.hostupiso.worker.hostup;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code X-RateLimit-*}: garbage leaves a field empty, counts are exact, remaining never exceeds the limit. */
class RateLimitHeadersProperties {

    @Property(tries = 15_000)
    void anyHeadersParseWithoutSurprises(@ForAll("counts") String limit, @ForAll("counts") String remaining,
                                         @ForAll("resets") String reset) {
        Optional<RateLimitHeaders> parsed = RateLimitHeaders.parse(limit, remaining, reset);
        OptionalInt expectedLimit = count(limit);
        OptionalInt expectedRemaining = count(remaining);
        Statistics.label("limit").collect(expectedLimit.isPresent());
        Statistics.label("limit").coverage(c -> {
            c.check(true).percentage(p -> p > 10);
            c.check(false).percentage(p -> p > 10);
        });
        Statistics.label("reset").collect(parsed.flatMap(RateLimitHeaders::reset).isPresent());
        Statistics.label("reset").coverage(c -> c.check(true).percentage(p -> p > 10));

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
    }

    @Property(tries = 10_000)
    void resetIsTheInstantSentInAnyForm(@ForAll("instants") Instant at, @ForAll("offsets") ZoneOffset offset) {
        String iso = OffsetDateTime.ofInstant(at, offset).toString();
        assertThat(RateLimitHeaders.parse(null, null, iso).flatMap(RateLimitHeaders::reset)).contains(at);
        assertThat(RateLimitHeaders.parse(null, null, at.toString()).flatMap(RateLimitHeaders::reset)).contains(at);
        Instant whole = Instant.ofEpochSecond(at.getEpochSecond());
        assertThat(RateLimitHeaders.parse(null, null, Long.toString(whole.getEpochSecond())).flatMap(RateLimitHeaders::reset))
                .contains(whole);
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

    @Provide
    Arbitrary<String> counts() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(0, 10_000).map(Object::toString),
                Arbitraries.of("2147483647", "2147483648", "0002147483647", "99999999999999999999", "-1", "+5", "1.0", "\u0663",
                        " 7 ", "\t12", "", " "),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(15),
                HostileText.shortText(),
                Arbitraries.just(null));
    }

    @Provide
    Arbitrary<String> resets() {
        return Arbitraries.oneOf(
                instants().map(Instant::toString),
                Arbitraries.longs().between(0, 999_999_999_999L).map(Object::toString),
                Arbitraries.of("2026-13-01T00:00:00Z", "2026-11-27T10:00:00", "1e9", "9999999999999", "now", ""),
                HostileText.shortText(),
                Arbitraries.just(null));
    }

    @Provide
    Arbitrary<Instant> instants() {
        return net.jqwik.api.Combinators.combine(Arbitraries.longs().between(0, 253_402_300_799L),
                Arbitraries.integers().between(0, 999_999_999)).as((s, n) -> Instant.ofEpochSecond(s, n));
    }

    @Provide
    Arbitrary<ZoneOffset> offsets() {
        return Arbitraries.integers().between(-18 * 3600, 18 * 3600).map(ZoneOffset::ofTotalSeconds);
    }
}
