package dev.hostupiso.worker.testsupport;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The property-test helpers: replay by seed, the input scale, character classes, coverage. */
class TheoriesTest {

    @Test
    void theSameQtSeedDrawsTheSameInputs() {
        String before = System.getProperty("QT_SEED");
        System.setProperty("QT_SEED", "20261207");
        try {
            assertThat(draw()).isEqualTo(draw());
        } finally {
            if (before == null) {
                System.clearProperty("QT_SEED");
            } else {
                System.setProperty("QT_SEED", before);
            }
        }
    }

    @Test
    void aFailurePrintsTheSeedThatReplaysIt() {
        assertThatThrownBy(() -> Theories.qt(1_000).forAll(Text.digits().ofLength(1, 3)).checkAssert(s -> assertThat(s).isNotEqualTo("7")))
                .hasMessageContaining("Seed was").hasMessageContaining("7");
    }

    @Test
    void theScaleMultipliesTheInputsAndKeepsAtLeastOne() {
        String before = System.getProperty(Theories.SCALE);
        try {
            System.setProperty(Theories.SCALE, "0.05");
            assertThat(Theories.scaled(20_000)).isEqualTo(1_000);
            assertThat(Theories.scaled(3)).isEqualTo(1);
            System.clearProperty(Theories.SCALE);
            assertThat(Theories.scaled(20_000)).isEqualTo(20_000);
        } finally {
            if (before != null) {
                System.setProperty(Theories.SCALE, before);
            }
        }
    }

    @Test
    void textStaysInItsClassAndReachesBothLengthBounds() {
        Coverage coverage = new Coverage("text");
        Theories.qt(2_000).forAll(Text.chars("AZ_").range('a', 'c').ofLength(2, 6)).checkAssert(s -> {
            assertThat(s).matches("[AZ_abc]{2,6}");
            coverage.collect("length", s.length());
        });
        coverage.requireMoreThan("length", 2, 5).requireMoreThan("length", 6, 5).requireMoreThan("length", 4, 5);
        assertThatThrownBy(() -> Text.chars("").ofMaxLength(3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void coverageFailsWhenAKindOfInputIsTooRare() {
        Coverage coverage = new Coverage("rare");
        for (int i = 0; i < 100; i++) {
            coverage.collect("valid", i < 3);
        }
        coverage.requireMoreThan("valid", true, 2);
        assertThatThrownBy(() -> coverage.requireMoreThan("valid", true, 3)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("valid = true");
        assertThatThrownBy(() -> coverage.requireMoreThan("never collected", true, 0)).isInstanceOf(AssertionError.class);
    }

    private static List<String> draw() {
        List<String> seen = new ArrayList<>();
        Theories.qt(50).forAll(Text.any().ofMaxLength(20)).checkAssert(seen::add);
        return seen;
    }
}
