package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.ledger.LedgerWriter.NotOwnerException;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ledger writer on {@link MockProducer}s: what it does when Kafka cannot say whether a commit
 * landed (the instance lost its brokers for longer than the transaction timeout), and when a
 * transaction failed before its commit was asked for.
 */
class PartitionWriterTest {

    /** A mock producer that counts its {@code initTransactions} calls and can fail one commit. */
    static final class CountingProducer extends MockProducer<String, String> {
        final AtomicInteger inits = new AtomicInteger();
        volatile RuntimeException failNextCommit;

        CountingProducer() {
            super(true, null, new StringSerializer(), new StringSerializer());
        }

        @Override
        public void initTransactions() {
            inits.incrementAndGet();
            super.initTransactions();
        }

        /** The next send to this topic fails while the transaction still commits (Kafka 4.1 has been seen to). */
        volatile String failNextSendTo;

        @Override
        public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                ProducerRecord<String, String> record) {
            if (record.topic().equals(failNextSendTo)) {
                failNextSendTo = null;
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new KafkaException("the produce to " + record.topic() + " failed"));
            }
            return super.send(record);
        }

        @Override
        public void commitTransaction() {
            RuntimeException fail = failNextCommit;
            if (fail != null) {
                failNextCommit = null;
                throw fail;
            }
            super.commitTransaction();
        }
    }

    private final List<CountingProducer> producers = new CopyOnWriteArrayList<>();
    private static final org.apache.kafka.common.TopicPartition P0 = new org.apache.kafka.common.TopicPartition("requests", 0);
    private final List<org.apache.kafka.common.TopicPartition> lost = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LedgerWriter writer = new LedgerWriter(p -> {
        CountingProducer producer = new CountingProducer();
        producers.add(producer);
        return producer;
    }, "requests", 1 << 20, new WorkerMetrics(registry), Clock.systemUTC(), Runnable::run);

    {
        writer.onPartitionLost(lost::add);
    }

    private static List<ProducerRecord<String, String>> record(String value) {
        return List.of(new ProducerRecord<>("ledger", 0, "r-1", value));
    }

    @Test
    void aCommitWhoseResultIsUnknownEndsTheWriterWithoutASecondInitOrAnyLaterCommit() {
        long epoch = writer.open(List.of(P0)).get(P0);
        CountingProducer producer = producers.get(0);
        producer.failNextCommit = new TimeoutException("Timeout expired after 60000ms while awaiting EndTxn(true)");
        // Kafka then refuses the abort: the commit must be retried.
        producer.abortTransactionException = new IllegalStateException(
                "Cannot attempt operation `abortTransaction` because the previous call to `commitTransaction` timed out "
                        + "and must be retried");

        assertThatThrownBy(() -> writer.write(P0, epoch, record("SUBMITTING")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(NotOwnerException.class);

        assertThat(lost).as("its jobs stop, as for a lost partition").containsExactly(P0);
        assertThat(writer.epochOf(P0)).isEqualTo(-1);
        assertThat(writer.orphaned()).as("held, not writable, until assigned afresh").containsExactly(P0);
        // The network heals: nothing of the old assignment may reach the ledger any more.
        producer.abortTransactionException = null;
        assertThatThrownBy(() -> writer.write(P0, epoch, record("COMPLETED")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(NotOwnerException.class);
        assertThat(producers).as("no producer re-created for the old assignment").hasSize(1);
        assertThat(producer.inits).as("no second initTransactions, which would fence the new owner").hasValue(1);
        assertThat(producer.history()).as("no batch committed after the loss").isEmpty();
        assertThat(producer.commitCount()).isZero();
        assertThat(registry.get(dev.hostupiso.worker.metrics.WorkerMetrics.LEDGER_FAILURES).tag("kind", "commit_unknown")
                .counter().count()).isEqualTo(1.0);
    }

    @Test
    void aCommitThatTimedOutEndsTheWriterEvenWhenKafkaWouldAcceptTheAbort() {
        long epoch = writer.open(List.of(P0)).get(P0);
        producers.get(0).failNextCommit = new TimeoutException("awaiting EndTxn(true)");

        assertThatThrownBy(() -> writer.write(P0, epoch, record("SUBMITTING")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(NotOwnerException.class);

        assertThat(producers.get(0).history()).as("the batch is not sent a second time").isEmpty();
        assertThat(producers.get(0).transactionAborted()).as("a commit in doubt is not aborted blindly").isFalse();
        assertThat(producers).hasSize(1);
    }

    @Test
    void onlyAFreshAssignmentWritesThePartitionAgain() {
        long epoch = writer.open(List.of(P0)).get(P0);
        producers.get(0).failNextCommit = new TimeoutException("awaiting EndTxn(true)");
        assertThatThrownBy(() -> writer.write(P0, epoch, record("a")).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(NotOwnerException.class);

        long fresh = writer.open(List.of(P0)).get(P0);
        writer.write(P0, fresh, record("b")).await().atMost(Duration.ofSeconds(10));

        assertThat(fresh).isGreaterThan(epoch);
        assertThat(writer.orphaned()).isEmpty();
        assertThat(producers).hasSize(2);
        assertThat(producers.get(1).history()).extracting(ProducerRecord::value).containsExactly("b");
    }

    @Test
    void aWriteIsCompleteOnlyOnceAllItsRecordsAreCommittedEvenIfKafkaCommittedATransactionWithoutOne() {
        long epoch = writer.open(List.of(P0)).get(P0);
        CountingProducer producer = producers.get(0);
        producer.failNextSendTo = "events";
        List<ProducerRecord<String, String>> terminal = List.of(new ProducerRecord<>("ledger", 0, "r-1", "COMPLETED"),
                new ProducerRecord<>("events", null, "r-1", "completed"));

        List<org.apache.kafka.clients.producer.RecordMetadata> metadata =
                writer.write(P0, epoch, terminal).await().atMost(Duration.ofSeconds(10));

        assertThat(producer.commitCount()).as("the outcome went into a second transaction").isEqualTo(2);
        assertThat(producer.history()).as("the terminal record and its outcome are both committed, each once")
                .extracting(ProducerRecord::topic, ProducerRecord::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ledger", "COMPLETED"),
                        org.assertj.core.groups.Tuple.tuple("events", "completed"));
        assertThat(metadata).hasSize(2).doesNotContainNull();
        assertThat(metadata.get(0).topic()).isEqualTo("ledger");
        assertThat(lost).isEmpty();
        assertThat(registry.get(WorkerMetrics.LEDGER_FAILURES).tag("kind", "partial_commit").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void aTransactionThatFailedBeforeItsCommitAndWasAbortedIsRetriedOnTheSameProducer() {
        long epoch = writer.open(List.of(P0)).get(P0);
        CountingProducer producer = producers.get(0);
        producer.failNextCommit = new KafkaException("a send of this transaction failed");

        writer.write(P0, epoch, record("a")).await().atMost(Duration.ofSeconds(10));

        assertThat(producer.history()).extracting(ProducerRecord::value).containsExactly("a");
        assertThat(lost).isEmpty();
        assertThat(producers).hasSize(1);
        assertThat(producer.inits).hasValue(1);
    }
}
