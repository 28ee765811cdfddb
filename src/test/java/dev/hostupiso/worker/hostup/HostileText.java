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

    /** Text of any length up to ~1.2 M chars (a Kafka record holds 1 MB), built by repetition so huge values are cheap to make. */
    public static Gen<String> anyLength() {
        Gen<Integer> repeat = Generate.frequency(
                of(75, Generate.range(1, 50)),
                of(23, Generate.range(50, 5_000)),
                of(2, Generate.range(20_000, 60_000)));
        // Kept below 900,000 characters, clear of the request reader's 1,048,576-character string limit: within a few
        // KB of it the reader (and Jackson) may refuse a value a separate read accepts, which is no contract question;
        // the limit itself is tested exactly by RequestReaderTest.
        return shortText(1).zip(repeat, String::repeat).map(s -> s.length() > 900_000 ? s.substring(0, 900_000) : s);
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
