package dev.hostupiso.worker.preflight;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Answer}: what one preflight exchange's headers say about the file. */
class AnswerTest {

    @Test
    void onlyARefusalOfHeadItselfIsAskedAgainWithGet() {
        assertThat(new Answer(HttpMethod.HEAD, 405, null, null, null).needsGet()).isTrue();
        assertThat(new Answer(HttpMethod.HEAD, 501, null, null, null).needsGet()).isTrue();
        assertThat(new Answer(HttpMethod.HEAD, 403, null, null, null).needsGet()).as("may be presigned for GET").isFalse();
        assertThat(new Answer(HttpMethod.HEAD, 200, null, 10L, null).needsGet()).isFalse();
        assertThat(new Answer(HttpMethod.GET, 405, null, null, null).needsGet()).as("a GET is never repeated").isFalse();
    }

    @Test
    void theSizeIsTheRangeTotalElseAFullAnswersLength() {
        assertThat(new Answer(HttpMethod.GET, 206, null, 1L, 5_000L).size()).isEqualTo(5_000L);
        assertThat(new Answer(HttpMethod.HEAD, 200, null, 7L, 9L).size()).isEqualTo(9L);
        assertThat(new Answer(HttpMethod.HEAD, 200, null, 7L, null).size()).isEqualTo(7L);
        assertThat(new Answer(HttpMethod.GET, 206, null, 1L, null).size()).as("a part's length is not the file's").isNull();
        assertThat(new Answer(HttpMethod.HEAD, 200, null, null, null).size()).isNull();
    }

    @Test
    void aLengthIsUpToNineteenDigitsThatFitALong() {
        assertThat(Answer.number("0")).isZero();
        assertThat(Answer.number(" 4096 ")).isEqualTo(4096L);
        assertThat(Answer.number("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Answer.number("9223372036854775808")).as("19 digits beyond a long").isNull();
        assertThat(Answer.number("12345678901234567890")).as("20 digits").isNull();
        assertThat(Answer.number(null)).isNull();
        assertThat(Answer.number("")).isNull();
        assertThat(Answer.number("-1")).isNull();
        assertThat(Answer.number("1e3")).isNull();
        assertThat(Answer.number("+5")).isNull();
    }

    @Test
    void aContentRangeGivesItsTotalWhenItStatesOne() {
        assertThat(Answer.rangeTotal("bytes 0-0/1234")).isEqualTo(1234L);
        assertThat(Answer.rangeTotal("BYTES 0-0/77 ")).isEqualTo(77L);
        assertThat(Answer.rangeTotal("bytes */999")).as("an unsatisfiable range still states the total").isEqualTo(999L);
        assertThat(Answer.rangeTotal("bytes 0-0/*")).as("total unknown").isNull();
        assertThat(Answer.rangeTotal("bytes 0-0/99999999999999999999")).isNull();
        assertThat(Answer.rangeTotal("items 0-0/5")).isNull();
        assertThat(Answer.rangeTotal("bytes 0-0/5 trailing")).isNull();
        assertThat(Answer.rangeTotal(null)).isNull();
    }
}
