package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.ledger.LedgerWriter.NotOwnerException;
import dev.hostupiso.worker.ledger.LedgerWriter.RecordRejectedException;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.localstack.EmbeddedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ledger writer against a real KRaft broker: ownership per assignment, fencing of a previous
 * owner, and one bad record failing alone.
 */
class LedgerWriterFencingTest {

    private static EmbeddedKafka kafka;
    private static final String TOPIC = "fencing-ledger";

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start(Path.of("target", "ledger-writer-test"));
        kafka.createTopics(Map.of(TOPIC, 2));
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private LedgerWriter writer(AtomicInteger lost) {
        LedgerWriter w = new LedgerWriter(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                "fencing-test-", new WorkerMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), Runnable::run);
        w.onPartitionLost(p -> lost.incrementAndGet());
        return w;
    }

    private static List<ProducerRecord<String, String>> record(int partition, String key, String value) {
        return List.of(new ProducerRecord<>(TOPIC, partition, key, value));
    }

    @Test
    void theNextOwnerFencesThePreviousOneWhichThenLosesThePartitionInsteadOfPublishing() {
        AtomicInteger zombieLost = new AtomicInteger();
        LedgerWriter zombie = writer(zombieLost);
        LedgerWriter next = writer(new AtomicInteger());
        try {
            long zombieEpoch = zombie.open(List.of(0)).get(0);
            zombie.write(0, zombieEpoch, record(0, "a", "by-zombie-before")).await().atMost(Duration.ofSeconds(30));

            long nextEpoch = next.open(List.of(0)).get(0); // the zombie is paused meanwhile: nobody told it

            assertThatThrownBy(() -> zombie.write(0, zombieEpoch, record(0, "a", "by-zombie-after"))
                    .await().atMost(Duration.ofSeconds(30))).isInstanceOf(NotOwnerException.class);
            assertThat(zombieLost).as("the fenced writer reports the partition lost").hasValue(1);
            assertThat(zombie.epochOf(0)).isEqualTo(-1);
            next.write(0, nextEpoch, record(0, "a", "by-next")).await().atMost(Duration.ofSeconds(30));

            assertThat(committedValues(0, "a")).containsExactly("by-zombie-before", "by-next");
        } finally {
            zombie.close(List.of(0));
            next.close(List.of(0));
        }
    }

    @Test
    void aWriteUnderAnEndedAssignmentIsNeverCommittedEvenWhenThePartitionComesBack() {
        LedgerWriter w = writer(new AtomicInteger());
        try {
            long first = w.open(List.of(1)).get(1);
            w.close(List.of(1));
            long second = w.open(List.of(1)).get(1);
            assertThat(second).isNotEqualTo(first);
            assertThatThrownBy(() -> w.write(1, first, record(1, "b", "stale")).await().atMost(Duration.ofSeconds(30)))
                    .isInstanceOf(NotOwnerException.class);
            w.write(1, second, record(1, "b", "current")).await().atMost(Duration.ofSeconds(30));
            assertThat(committedValues(1, "b")).containsExactly("current");
        } finally {
            w.close(List.of(1));
        }
    }

    @Test
    void aRecordTooLargeFailsAloneAndTheOthersCommit() {
        LedgerWriter w = writer(new AtomicInteger());
        try {
            long epoch = w.open(List.of(0)).get(0);
            var big = w.write(0, epoch, record(0, "big", "x".repeat(2 * 1024 * 1024))).subscribeAsCompletionStage();
            var small = w.write(0, epoch, record(0, "small", "fits")).subscribeAsCompletionStage();
            assertThatThrownBy(() -> big.toCompletableFuture().get()).hasCauseInstanceOf(RecordRejectedException.class);
            assertThat(small.toCompletableFuture().join()).hasSize(1);
            assertThat(w.isCommitting()).isTrue();
            assertThat(committedValues(0, "small")).containsExactly("fits");
            assertThat(committedValues(0, "big")).isEmpty();
        } finally {
            w.close(List.of(0));
        }
    }

    /** Committed values of {@code key} in {@code partition}, oldest first. */
    private static List<String> committedValues(int partition, String key) {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            List<String> values = new ArrayList<>();
            while (c.position(tp) < end) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        values.add(r.value());
                    }
                }
            }
            return values;
        }
    }
}
