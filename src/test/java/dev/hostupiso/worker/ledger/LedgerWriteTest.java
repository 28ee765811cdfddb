package dev.hostupiso.worker.ledger;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LedgerWriteTest {

    private static RecordMetadata at(String topic, long offset) {
        return new RecordMetadata(new TopicPartition(topic, 0), offset, 0, 0, 1, 1);
    }

    private final LedgerWrite write = new LedgerWrite(List.of(new ProducerRecord<>("ledger", "k", "COMPLETED"),
            new ProducerRecord<>("events", "k", "completed")));

    @Test
    void completesOnlyOnceEveryRecordIsInWithTheMetadataInRecordOrder() {
        write.landed(0, at("ledger", 7));
        assertThat(write.completeIfLanded()).as("the outcome is still missing").isFalse();
        assertThat(write.done()).isNotDone();
        assertThat(write.hasLanded(0)).isTrue();
        assertThat(write.hasLanded(1)).isFalse();

        write.landed(1, at("events", 3));
        assertThat(write.completeIfLanded()).isTrue();
        assertThat(write.done().join()).extracting(RecordMetadata::topic, RecordMetadata::offset)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ledger", 7L),
                        org.assertj.core.groups.Tuple.tuple("events", 3L));
    }

    @Test
    void aFailedWriteIsOverAndStaysFailed() {
        write.fail(new IllegalStateException("rejected"));
        write.landed(0, at("ledger", 1));
        write.landed(1, at("events", 1));

        assertThat(write.completeIfLanded()).isTrue();
        assertThat(write.done()).isCompletedExceptionally();
    }
}
