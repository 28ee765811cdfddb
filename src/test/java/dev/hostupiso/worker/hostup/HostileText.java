package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.testsupport.Text;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import static org.quicktheories.api.Pair.of;

/** Generators of hostile text for the property tests, and a JSON string encoder that can write anything. */
public final class HostileText {

    /** Characters that break naive code: controls (C0, DEL, C1), lone surrogates, separators, quotes, astral. */
    public static final String NASTY = "\u0000\u0001\u001f\u007f\u0085\u009f\ud800\udfff\u2028\u2029\ufeff\ufffe\"\\/%<>é€😀"
            + "\t\n\r ";

    /** The request reader's string limit (docs/event-contract.md), in UTF-16 units. */
    static final int STRING_LIMIT = 1_048_576;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private HostileText() {
    }

    /** Short strings of any char, biased towards the nasty ones. */
    public static Gen<String> shortText() {
        return shortText(0);
    }

    private static Gen<String> shortText(int minLength) {
        return Generate.oneOf(
                Text.any().ofLength(minLength, 20),
                Text.chars(NASTY + "az09.-_").ofLength(minLength, 20),
                Text.alphanumeric().ofLength(minLength, 20));
    }

    /**
     * Text of any length up to ~1.2 M chars (a Kafka record holds 1 MB), built by repetition so huge values are cheap
     * to make; now and then exactly around the request reader's string limit of 1,048,576 UTF-16 units.
     */
    public static Gen<String> anyLength() {
        Gen<Integer> repeat = Generate.frequency(
                of(75, Generate.range(1, 50)),
                of(23, Generate.range(50, 5_000)),
                of(2, Generate.range(20_000, 60_000)));
        Gen<String> nearTheLimit = shortText(1).zip(Generate.range(STRING_LIMIT - 2, STRING_LIMIT + 2),
                (unit, length) -> unit.repeat(length / unit.length() + 1).substring(0, length));
        return Generate.frequency(
                of(199, shortText(1).zip(repeat, String::repeat)),
                of(1, nearTheLimit));
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
