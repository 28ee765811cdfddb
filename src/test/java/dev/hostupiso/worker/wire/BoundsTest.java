package dev.hostupiso.worker.wire;

import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BoundsTest {

    @Test
    void truncateKeepsShortTextAndCutsLongTextWithTheMarkerInsideTheLimit() {
        assertThat(Bounds.truncate(null, 10)).isNull();
        assertThat(Bounds.truncate("0123456789", 10)).isEqualTo("0123456789");
        assertThat(Bounds.truncate("0123456789A", 10)).isEqualTo("012345678…");
        assertThat(Bounds.truncate(Bounds.truncate("0123456789A", 10), 10)).isEqualTo("012345678…");
    }

    @Test
    void truncateNeverSplitsASurrogatePair() {
        String cut = Bounds.truncate("12345678😀xyz", 10); // the pair sits at chars 8-9
        assertThat(cut).isEqualTo("12345678…");
        assertThat(cut.chars().filter(c -> Character.isSurrogate((char) c)).count()).isZero();
    }

    @Test
    void fieldErrorsBeyondTheCapBecomeOneCountingEntry() {
        List<FieldError> many = Collections.nCopies(25, new FieldError("/x", "d", "c"));
        List<FieldError> capped = Bounds.fieldErrors(many);
        assertThat(capped).hasSize(Bounds.ERRORS);
        assertThat(capped.get(Bounds.ERRORS - 1)).isEqualTo(new FieldError("", "6 more errors not shown", Bounds.ERRORS_TRUNCATED));
        assertThat(Bounds.fieldErrors(capped)).isEqualTo(capped);
        assertThat(Bounds.fieldErrors(null)).isEmpty();
    }
}
