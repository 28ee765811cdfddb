package dev.hostupiso.worker.ledger;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class SendResultsTest {

    private static final RecordMetadata METADATA = new RecordMetadata(new TopicPartition("ledger", 0), 5, 0, 0, 1, 1);

    @Test
    void aSucceededSendHasItsMetadataAndNoFailure() {
        SendResults.Result r = SendResults.of(CompletableFuture.completedFuture(METADATA));

        assertThat(r.metadata()).isSameAs(METADATA);
        assertThat(r.failure()).isNull();
        assertThat(SendResults.failureOf(CompletableFuture.completedFuture(METADATA))).isEmpty();
    }

    @Test
    void aFailedSendHasItsCause() {
        KafkaException cause = new KafkaException("produce failed");
        CompletableFuture<RecordMetadata> failed = CompletableFuture.failedFuture(cause);

        assertThat(SendResults.of(failed).failure()).isSameAs(cause);
        assertThat(SendResults.of(failed).metadata()).isNull();
        assertThat(SendResults.failureOf(failed)).containsSame(cause);
    }

    @Test
    void aSendStillRunningHasNotLandedButHasNotFailedEither() {
        CompletableFuture<RecordMetadata> running = new CompletableFuture<>();

        assertThat(SendResults.of(running).failure()).as("not in the transaction as far as anyone knows")
                .isInstanceOf(TimeoutException.class);
        assertThat(SendResults.failureOf(running)).isEmpty();
    }

    @Test
    void onlyFailuresOfTheRecordItselfAreRejections() {
        assertThat(SendResults.isRejection(new RecordTooLargeException("big"))).isTrue();
        assertThat(SendResults.isRejection(new RecordBatchTooLargeException("big"))).isTrue();
        assertThat(SendResults.isRejection(new SerializationException("bad"))).isTrue();
        assertThat(SendResults.isRejection(new TimeoutException("slow"))).isFalse();
        assertThat(SendResults.isRejection(null)).isFalse();
    }
}
