package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.ledger.LedgerWriter.RecordRejectedException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordSizeLimitTest {

    @Test
    void countsUtf8BytesAsJavaEncodesThem() {
        for (String s : List.of("", "ascii", "é", "€", "😀", "a€😀é")) {
            assertThat(RecordSizeLimit.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
        assertThat(RecordSizeLimit.utf8Length(null)).isZero();
    }

    @Test
    void aRecordIsKeyValueAndHeaders() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_id", new byte[36]);
        headers.add("empty", null);
        ProducerRecord<String, String> r = new ProducerRecord<>("events", null, "key", "value€", headers);

        assertThat(RecordSizeLimit.size(r)).isEqualTo(3 + 8 + 5 + 36 + 5);
    }

    @Test
    void refusesTheWriteWithTheFirstRecordOverTheLimitAndNamesIt() {
        RecordSizeLimit limit = new RecordSizeLimit(10);
        ProducerRecord<String, String> fits = new ProducerRecord<>("ledger", "k", "123456789"); // 10 bytes
        ProducerRecord<String, String> over = new ProducerRecord<>("events", "k", "1234567890"); // 11 bytes

        assertThat(limit.check(List.of(fits))).isEmpty();
        assertThat(limit.check(List.of(fits, over))).get().isInstanceOf(RecordRejectedException.class)
                .extracting(Throwable::getMessage).asString().contains("events record of 11 bytes", "10-byte limit");
    }

    @Test
    void aLimitMustBePositive() {
        assertThatThrownBy(() -> new RecordSizeLimit(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
