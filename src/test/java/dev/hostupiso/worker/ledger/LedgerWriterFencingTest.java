package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.ledger.LedgerWriter.NotOwnerException;
import dev.hostupiso.worker.ledger.LedgerWriter.RecordRejectedException;
import dev.hostupiso.worker.localstack.EmbeddedKafka;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ledger writer against a real KRaft broker: ownership per assignment, fencing of a previous
 * owner, one bad record failing alone, and writes batched into shared transactions.
 */
class LedgerWriterFencingTest {

    private static EmbeddedKafka kafka;
    private static final String TOPIC = "fencing-ledger";
    /** The shared request topic the writers' partitions belong to. */
    private static final String REQUESTS = "requests";

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
                "fencing-test-", REQUESTS, new WorkerMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), Runnable::run);
        w.onPartitionLost(p -> lost.incrementAndGet());
        return w;
    }

    /** Partition {@code p} of the shared request topic. */
    private static TopicPartition tp(int p) {
        return new TopicPartition(REQUESTS, p);
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
            long zombieEpoch = zombie.open(List.of(tp(0))).get(tp(0));
            zombie.write(tp(0), zombieEpoch, record(0, "a", "by-zombie-before")).await().atMost(Duration.ofSeconds(30));

            long nextEpoch = next.open(List.of(tp(0))).get(tp(0)); // the zombie is paused meanwhile: nobody told it

            assertThatThrownBy(() -> zombie.write(tp(0), zombieEpoch, record(0, "a", "by-zombie-after"))
                    .await().atMost(Duration.ofSeconds(30))).isInstanceOf(NotOwnerException.class);
            assertThat(zombieLost).as("the fenced writer reports the partition lost").hasValue(1);
            assertThat(zombie.epochOf(tp(0))).isEqualTo(-1);
            next.write(tp(0), nextEpoch, record(0, "a", "by-next")).await().atMost(Duration.ofSeconds(30));

            assertThat(committedValues(0, "a")).containsExactly("by-zombie-before", "by-next");
        } finally {
            zombie.close(List.of(tp(0)));
            next.close(List.of(tp(0)));
        }
    }

    @Test
    void aWriteUnderAnEndedAssignmentIsNeverCommittedEvenWhenThePartitionComesBack() {
        LedgerWriter w = writer(new AtomicInteger());
        try {
            long first = w.open(List.of(tp(1))).get(tp(1));
            w.close(List.of(tp(1)));
            long second = w.open(List.of(tp(1))).get(tp(1));
            assertThat(second).isNotEqualTo(first);
            assertThatThrownBy(() -> w.write(tp(1), first, record(1, "b", "stale")).await().atMost(Duration.ofSeconds(30)))
                    .isInstanceOf(NotOwnerException.class);
            w.write(tp(1), second, record(1, "b", "current")).await().atMost(Duration.ofSeconds(30));
            assertThat(committedValues(1, "b")).containsExactly("current");
        } finally {
            w.close(List.of(tp(1)));
        }
    }

    @Test
    void aRecordTooLargeFailsAloneAndTheOthersCommit() {
        LedgerWriter w = writer(new AtomicInteger());
        try {
            long epoch = w.open(List.of(tp(0))).get(tp(0));
            var big = w.write(tp(0), epoch, record(0, "big", "x".repeat(2 * 1024 * 1024))).subscribeAsCompletionStage();
            var small = w.write(tp(0), epoch, record(0, "small", "fits")).subscribeAsCompletionStage();
            assertThatThrownBy(() -> big.toCompletableFuture().get()).hasCauseInstanceOf(RecordRejectedException.class);
            assertThat(small.toCompletableFuture().join()).hasSize(1);
            assertThat(w.isCommitting()).isTrue();
            assertThat(committedValues(0, "small")).containsExactly("fits");
            assertThat(committedValues(0, "big")).isEmpty();
        } finally {
            w.close(List.of(tp(0)));
        }
    }

    @Test
    void writesThatArriveTogetherShareTransactionsAndAllCommit() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LedgerWriter w = new LedgerWriter(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                "batching-test-", REQUESTS, new WorkerMetrics(registry), Clock.systemUTC(), Runnable::run);
        try {
            long epoch = w.open(List.of(tp(1))).get(tp(1));
            List<CompletableFuture<List<RecordMetadata>>> writes = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                writes.add(w.write(tp(1), epoch, record(1, "batch", "v" + i)).subscribeAsCompletionStage());
            }
            writes.forEach(CompletableFuture::join);
            assertThat(registry.get(WorkerMetrics.LEDGER_WRITES).counter().count()).isEqualTo(300);
            assertThat(registry.get(WorkerMetrics.LEDGER_TRANSACTIONS).timer().count())
                    .as("writes queued during a transaction go together into the next one").isLessThan(30);
            assertThat(committedValues(1, "batch")).hasSize(300).startsWith("v0", "v1").endsWith("v299");
        } finally {
            w.close(List.of(tp(1)));
        }
    }

    @Test
    void twoRequestTopicsOwnedByDifferentInstancesWriteTheSameLedgerPartitionWithoutFencingEachOther() {
        AtomicInteger sharedLost = new AtomicInteger();
        AtomicInteger teamLost = new AtomicInteger();
        LedgerWriter sharedOwner = writer(sharedLost);
        LedgerWriter teamOwner = writer(teamLost);
        TopicPartition team = new TopicPartition("team-a-requests", 0);
        try {
            long sharedEpoch = sharedOwner.open(List.of(tp(0))).get(tp(0));
            long teamEpoch = teamOwner.open(List.of(team)).get(team);
            sharedOwner.write(tp(0), sharedEpoch, record(0, "s", "shared")).await().atMost(Duration.ofSeconds(30));
            teamOwner.write(team, teamEpoch, record(0, "team-a-requests/s", "team")).await().atMost(Duration.ofSeconds(30));
            sharedOwner.write(tp(0), sharedEpoch, record(0, "s", "shared-again")).await().atMost(Duration.ofSeconds(30));

            assertThat(sharedLost).as("a team topic's owner is not the shared topic's successor").hasValue(0);
            assertThat(teamLost).hasValue(0);
            assertThat(committedValues(0, "s")).containsExactly("shared", "shared-again");
            assertThat(committedValues(0, "team-a-requests/s")).containsExactly("team");
        } finally {
            sharedOwner.close(List.of(tp(0)));
            teamOwner.close(List.of(team));
        }
    }

    /** Committed values of {@code key} in {@code partition}, oldest first. */
    /**
     * The partition's last stable offset once the transactions committed so far are settled: a commit returns
     * before Kafka writes its markers, so the stable offset can trail it for a moment. Waits at most 5 s for it to
     * reach the log end (a transaction left open, by a zombie for example, keeps it below).
     */
    private static long settledEnd(KafkaConsumer<String, String> readCommitted, TopicPartition tp) {
        long logEnd;
        try (KafkaConsumer<String, String> raw = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            logEnd = raw.endOffsets(List.of(tp)).get(tp);
        }
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long stable = readCommitted.endOffsets(List.of(tp)).get(tp);
        while (stable < logEnd && System.nanoTime() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            stable = readCommitted.endOffsets(List.of(tp)).get(tp);
        }
        return stable;
    }

    private static List<String> committedValues(int partition, String key) {
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = settledEnd(c, tp);
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
