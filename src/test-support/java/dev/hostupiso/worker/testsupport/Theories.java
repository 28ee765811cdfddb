package dev.hostupiso.worker.testsupport;

import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;

/**
 * The entry point of every property test: QuickTheories' {@code qt()} with the number of generated
 * inputs the property asks for.
 *
 * <p>A failing property prints {@code Seed was N}; {@code -DQT_SEED=N} (with {@code -Dtest=Class#method})
 * replays exactly that run: QuickTheories reads the system property, Surefire passes it to the test JVM.
 * {@code -Dproperty.examples.scale=0.01} scales every property's input count (at least one input), for a
 * quick run such as mutation testing; the default scale is 1.
 */
public final class Theories {

    /** System property scaling every property's number of inputs. */
    public static final String SCALE = "property.examples.scale";

    private Theories() {
    }

    /**
     * Shrink steps after a failure: QuickTheories' default shrinks large hostile inputs until the heap runs out,
     * which hides the failure and its seed behind an OutOfMemoryError.
     */
    static final int SHRINK_CYCLES = 200;

    /** QuickTheories with {@code examples} generated inputs (times the scale), seeded from {@code QT_SEED} when set. */
    public static QuickTheory qt(int examples) {
        return QuickTheory.qt().withExamples(scaled(examples)).withShrinkCycles(SHRINK_CYCLES);
    }

    static int scaled(int examples) {
        double scale = Double.parseDouble(System.getProperty(SCALE, "1"));
        return (int) Math.max(1, Math.round(examples * scale));
    }

    /**
     * {@code gen} shown in a failure report as text cut to 200 chars: the generators make values of a
     * megabyte and null, which QuickTheories' default rendering would print whole or fail on.
     */
    public static <T> Gen<T> shown(Gen<T> gen) {
        return gen.describedAs(Theories::abbreviate);
    }

    static String abbreviate(Object value) {
        String s = String.valueOf(value);
        return s.length() <= 200 ? s : s.substring(0, 200) + "... (" + s.length() + " chars)";
    }
}
