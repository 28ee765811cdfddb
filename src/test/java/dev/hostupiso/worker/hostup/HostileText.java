package dev.hostupiso.worker.hostup;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of hostile text for the property tests, and a JSON string encoder that can write anything. */
public final class HostileText {

    /** Characters that break naive code: controls (C0, DEL, C1), lone surrogates, separators, quotes, astral. */
    public static final String NASTY = "\u0000\u0001\u001f\u007f\u0085\u009f\ud800\udfff\u2028\u2029\ufeff\ufffe\"\\/%<>é€😀"
            + "\t\n\r ";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private HostileText() {
    }

    /** Short strings of any char, biased towards the nasty ones. */
    public static Arbitrary<String> shortText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(20),
                Arbitraries.strings().withChars(NASTY + "az09.-_").ofMaxLength(20),
                Arbitraries.strings().alpha().numeric().ofMaxLength(20));
    }

    /** Text of any length up to ~1.2 M chars (a Kafka record holds 1 MB), built by repetition so huge values are cheap to make. */
    public static Arbitrary<String> anyLength() {
        Arbitrary<Integer> repeat = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(75, Arbitraries.integers().between(1, 50)),
                net.jqwik.api.Tuple.of(23, Arbitraries.integers().between(50, 5_000)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(20_000, 60_000)));
        return Combinators.combine(shortText().filter(s -> !s.isEmpty()), repeat).as((unit, n) -> unit.repeat(n));
    }

    /** {@code s} as a JSON string literal; non-ASCII written raw or escaped, as {@code escapeAll} says. */
    public static String json(String s, boolean escapeAll) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) || (escapeAll && c > 0x7e)) {
                sb.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    public static String json(String s) {
        return json(s, false);
    }
}
