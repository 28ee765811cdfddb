package dev.hostupiso.worker.dispatch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AssignmentShareTest {

    @Test
    void theShareIsThePartitionsOwnedOverAllPartitions() {
        AssignmentShare share = new AssignmentShare(false);
        assertThat(share.share()).as("before any assignment").isEqualTo(1);
        share.assignment(2, 6);
        assertThat(share.share()).isCloseTo(1.0 / 3, within(1e-12));
        share.assignment(6, 6);
        assertThat(share.share()).isEqualTo(1);
    }

    @Test
    void noPartitionsStillLeavesATrickleAndAnUnknownTotalTheWholeKey() {
        assertThat(AssignmentShare.of(0, 6)).isEqualTo(dev.hostupiso.worker.hostup.ShareSource.MIN_SHARE);
        assertThat(AssignmentShare.of(3, 0)).isEqualTo(1);
    }

    @Test
    void wholeIgnoresTheAssignment() {
        AssignmentShare share = new AssignmentShare(true);
        share.assignment(1, 6);
        assertThat(share.share()).isEqualTo(1);
    }
}
