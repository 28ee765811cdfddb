package dev.hostupiso.worker.testsupport;

import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.util.BitSet;

import static org.quicktheories.api.Pair.of;

/**
 * Strings over a character class, which QuickTheories lacks (it knows code point ranges only): the
 * class is a set of single chars and ranges, as in {@code Text.chars("AZ09_-").range('a', 'z')}.
 * Lengths favour the bounds: one input in ten is the shortest, one in ten the longest allowed.
 */
public final class Text {

    private final BitSet chars = new BitSet(Character.MAX_VALUE + 1);

    private Text() {
    }

    /** The class of exactly these chars (each one, not ranges). */
    public static Text chars(String literal) {
        return new Text().plus(literal);
    }

    /** Every char, lone surrogates and controls included. */
    public static Text any() {
        return new Text().range(Character.MIN_VALUE, Character.MAX_VALUE);
    }

    /** ASCII letters and digits. */
    public static Text alphanumeric() {
        return new Text().range('a', 'z').range('A', 'Z').range('0', '9');
    }

    /** ASCII digits. */
    public static Text digits() {
        return new Text().range('0', '9');
    }

    public Text plus(String literal) {
        literal.chars().forEach(chars::set);
        return this;
    }

    public Text range(char from, char to) {
        chars.set(from, to + 1);
        return this;
    }

    /** Strings of this class with a length in {@code [min, max]}. */
    public Gen<String> ofLength(int min, int max) {
        if (chars.isEmpty() || min < 0 || max < min) {
            throw new IllegalArgumentException("an empty class or a bad length range");
        }
        char[] alphabet = new char[chars.cardinality()];
        int k = 0;
        for (int c = chars.nextSetBit(0); c >= 0; c = chars.nextSetBit(c + 1)) {
            alphabet[k++] = (char) c;
        }
        Gen<Integer> length = Generate.frequency(of(1, Generate.constant(min)), of(1, Generate.constant(max)),
                of(8, Generate.range(min, max)));
        Gen<Integer> index = Generate.range(0, alphabet.length - 1);
        return Theories.shown(random -> {
            int n = length.generate(random);
            StringBuilder sb = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                sb.append(alphabet[index.generate(random)]);
            }
            return sb.toString();
        });
    }

    public Gen<String> ofMaxLength(int max) {
        return ofLength(0, max);
    }
}
