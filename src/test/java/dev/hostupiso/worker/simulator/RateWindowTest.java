package dev.hostupiso.worker.simulator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What each window model answers: the headers a worker has to live with. */
class RateWindowTest {

    private static final long W = 10_000;

    @Test
    void fixedWindowReturnsTheWholeBudgetAtItsEnd() {
        RateWindow w = RateWindow.of(RateWindowModel.FIXED, 3, W);
        assertThat(w.hit(0)).isEqualTo(new RateWindow.Decision(3, false, 2, W, 0));
        assertThat(w.hit(4_000)).isEqualTo(new RateWindow.Decision(3, false, 1, W, 0));
        assertThat(w.hit(5_000)).isEqualTo(new RateWindow.Decision(3, false, 0, W, 0));
        // refused calls count too, and wait for the window's end
        assertThat(w.hit(6_000)).isEqualTo(new RateWindow.Decision(3, true, 0, W, 4_000));
        // the next window opens with the first call after the end, with the whole budget
        assertThat(w.hit(12_000)).isEqualTo(new RateWindow.Decision(3, false, 2, 12_000 + W, 0));
    }

    @Test
    void slidingWindowFreesOneCallWhenTheOldestExpires() {
        RateWindow w = RateWindow.of(RateWindowModel.SLIDING, 3, W);
        assertThat(w.hit(0)).isEqualTo(new RateWindow.Decision(3, false, 2, W, 0));
        assertThat(w.hit(4_000)).isEqualTo(new RateWindow.Decision(3, false, 1, W, 0));
        assertThat(w.hit(5_000)).isEqualTo(new RateWindow.Decision(3, false, 0, W, 0));
        assertThat(w.hit(6_000)).isEqualTo(new RateWindow.Decision(3, true, 0, W, 4_000));
        // at 10 s only the call of 0 s expired: one call goes, and the next reset is the call of 4 s expiring
        assertThat(w.hit(10_000)).isEqualTo(new RateWindow.Decision(3, false, 0, 14_000, 0));
        assertThat(w.hit(10_001)).isEqualTo(new RateWindow.Decision(3, true, 0, 14_000, 3_999));
        // after a whole window of silence everything has expired
        assertThat(w.hit(40_000)).isEqualTo(new RateWindow.Decision(3, false, 2, 50_000, 0));
    }

    @Test
    void tokenBucketRefillsSteadilyAndResetsWhenFull() {
        RateWindow w = RateWindow.of(RateWindowModel.TOKEN_BUCKET, 10, W); // one token per second
        // full at the start: a call leaves 9 tokens, and the bucket is full again one second later
        assertThat(w.hit(0)).isEqualTo(new RateWindow.Decision(10, false, 9, 1_000, 0));
        for (int i = 0; i < 9; i++) {
            w.hit(0);
        }
        RateWindow.Decision empty = w.hit(0);
        assertThat(empty.exceeded()).isTrue();
        assertThat(empty.retryAfterMillis()).isEqualTo(1_000); // the next token
        assertThat(empty.resetMillis()).isEqualTo(W);            // full again after a whole window
        // 2.5 s later: 2.5 tokens came back; one call leaves 1.5 (reported as 1) and 8.5 s to full
        RateWindow.Decision later = w.hit(2_500);
        assertThat(later.exceeded()).isFalse();
        assertThat(later.remaining()).isEqualTo(1);
        assertThat(later.resetMillis()).isEqualTo(2_500 + 8_500);
    }

    @Test
    void modelNamesParseAsTheControlApiWritesThem() {
        assertThat(RateWindowModel.parse("token-bucket")).isEqualTo(RateWindowModel.TOKEN_BUCKET);
        assertThat(RateWindowModel.parse("Sliding")).isEqualTo(RateWindowModel.SLIDING);
        assertThat(RateWindowModel.parse("FIXED")).isEqualTo(RateWindowModel.FIXED);
    }
}
