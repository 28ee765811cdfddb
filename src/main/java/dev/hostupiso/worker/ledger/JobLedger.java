package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.JobCancelledException;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobJournal;
import dev.hostupiso.worker.job.JobState;
import dev.hostupiso.worker.kafka.KafkaClientConfig;
import dev.hostupiso.worker.ledger.LedgerWriter.NotOwnerException;
import dev.hostupiso.worker.ledger.LedgerWriter.RecordRejectedException;
import dev.hostupiso.worker.outcome.OutcomeEvent;
import dev.hostupiso.worker.outcome.OutcomeRecords;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;

/**
 * The job ledger: each request's state machine in a compacted Kafka topic, keyed by requestId and
 * written to the same partition number as the request record, so ownership of a request partition
 * is ownership of its jobs. This instance keeps the entries of the partitions it owns in memory,
 * loaded from the topic when a partition is assigned and updated by its own (committed) writes:
 * unfinished entries in full, finished ones only as much as deduplication needs
 * ({@link FinishedEntry}).
 */
@ApplicationScoped
public class JobLedger implements JobJournal {

    /** The entries of one partition for one assignment of it. */
    private record Owned(long epoch, Map<String, LedgerEntry> open, Map<String, FinishedEntry> finished) {
    }

    private final Map<Integer, Owned> owned = new ConcurrentHashMap<>();
    private final List<IntConsumer> lostListeners = new CopyOnWriteArrayList<>();
    private final LedgerWriter writer;
    private final OutcomeRecords outcomes;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final String topic;
    private final Duration retention;
    private final Map<String, Object> consumerConfig;

    public JobLedger(LedgerWriter writer, OutcomeRecords outcomes, ObjectMapper mapper, Clock clock, WorkerConfig config,
                     @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.writer = writer;
        this.outcomes = outcomes;
        this.mapper = mapper;
        this.clock = clock;
        this.topic = config.ledgerTopic();
        this.retention = config.ledger().retention();
        Map<String, Object> props = KafkaClientConfig.shared(kafkaConfig);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "isoworker-ledger-reader");
        this.consumerConfig = props;
        writer.onPartitionLost(p -> {
            owned.remove(p);
            lostListeners.forEach(l -> l.accept(p));
        });
    }

    /**
     * Runs {@code listener} with a partition taken over by another instance while this one thought
     * it owned it (its ledger writer was fenced); the partition's entries are already dropped.
     */
    public void onPartitionLost(IntConsumer listener) {
        lostListeners.add(listener);
    }

    /**
     * Partitions whose ledger writer ended here (fenced, or unsure whether its last commit landed)
     * and that were neither released nor loaded afresh since: held, but not writable.
     */
    public java.util.Set<Integer> orphaned() {
        return writer.orphaned();
    }

    /** The epoch of this instance's current assignment of {@code partition}, or -1 when not owned. */
    public long epochOf(int partition) {
        Owned o = owned.get(partition);
        return o == null ? -1 : o.epoch();
    }

    /** The unfinished entry of {@code requestId}, if this instance owns one. */
    public LedgerEntry open(int partition, String requestId) {
        Owned o = owned.get(partition);
        return o == null ? null : o.open().get(requestId);
    }

    /** What is kept of {@code requestId} once finished, if this instance owns it. */
    public Optional<FinishedEntry> finished(int partition, String requestId) {
        Owned o = owned.get(partition);
        return o == null ? Optional.empty() : Optional.ofNullable(o.finished().get(requestId));
    }

    /**
     * Takes ownership of {@code partitions}: fences their previous owners (which aborts any
     * transaction they left open), reads each ledger partition to its end (committed records only)
     * and answers the entries whose jobs must be resumed. Blocking; called on the consumer's thread
     * during a rebalance, before any request record of those partitions.
     */
    public List<LedgerEntry> load(Collection<Integer> partitions) {
        List<LedgerEntry> unfinished = new ArrayList<>();
        if (partitions.isEmpty()) {
            return unfinished;
        }
        Map<Integer, Long> epochs = writer.open(partitions);
        Map<Integer, Owned> loaded = new HashMap<>();
        partitions.forEach(p -> loaded.put(p, new Owned(epochs.get(p), new ConcurrentHashMap<>(), new ConcurrentHashMap<>())));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    apply(loaded.get(r.partition()), r);
                }
            }
        }
        loaded.forEach((p, o) -> {
            owned.put(p, o);
            unfinished.addAll(o.open().values());
            Log.infof("ledger partition %d loaded: %d finished, %d to resume", p, o.finished().size(), o.open().size());
        });
        return unfinished;
    }

    private void apply(Owned o, ConsumerRecord<String, String> r) {
        if (r.key() == null) {
            return;
        }
        o.open().remove(r.key());
        o.finished().remove(r.key());
        if (r.value() == null) {
            return; // tombstone
        }
        LedgerEntry e = parse(r.value(), r.topic() + "-" + r.partition() + "@" + r.offset());
        if (e == null) {
            return;
        }
        if (e.state().isTerminal()) {
            o.finished().put(r.key(), e.toFinished(r.offset()));
        } else {
            o.open().put(r.key(), e);
        }
    }

    /** Gives up {@code partitions}: nothing queued under their assignments is committed any more. */
    public void release(Collection<Integer> partitions) {
        partitions.forEach(owned::remove);
        writer.close(partitions);
    }

    /** Records a new request; completes once durable (then its offset may be committed). */
    public Uni<Void> received(JobContext ctx, long sourceOffset) {
        return write(ctx, LedgerEntry.received(ctx, sourceOffset, clock.instant()), null);
    }

    @Override
    public Uni<Void> record(JobContext ctx, JobState state) {
        LedgerEntry current = open(ctx.partition(), ctx.request().requestId());
        if (current == null) {
            return Uni.createFrom().failure(new JobCancelledException(ctx.request().requestId()));
        }
        return write(ctx, current.progressed(ctx, state, clock.instant()), null);
    }

    /**
     * Publishes {@code event} and the request's terminal ledger record in one transaction. For a
     * request refused before it had an entry, {@code receivedOffset} creates one. Should Kafka
     * refuse the records themselves (too large), the request still gets an outcome: a minimal
     * {@code worker_error} one that fits.
     */
    public Uni<OutcomeEvent> finish(JobContext ctx, OutcomeEvent event, long receivedOffset) {
        LedgerEntry current = open(ctx.partition(), ctx.request().requestId());
        LedgerEntry base = current != null ? current : LedgerEntry.received(ctx, receivedOffset, clock.instant());
        return write(ctx, base.finished(event, clock.instant()), outcomes.record(event)).replaceWith(event)
                .onFailure(RecordRejectedException.class).recoverWithUni(rejected -> {
                    OutcomeEvent minimal = event.withoutDetails(rejected.getMessage());
                    Log.errorf("requestId=%s outcome refused by Kafka (%s): publishing a minimal worker_error outcome",
                            ctx.request().requestId(), rejected.getMessage());
                    return write(ctx, base.withoutRequest().finished(minimal, clock.instant()), outcomes.record(minimal))
                            .replaceWith(minimal);
                });
    }

    /**
     * Publishes a finished request's recorded outcome again (a new record asked with its requestId):
     * the same event, same {@code ce_id}, read back from the ledger topic.
     */
    public Uni<OutcomeEvent> republish(int partition, String requestId, FinishedEntry finished) {
        long epoch = epochOf(partition);
        return Uni.createFrom().item(() -> readOutcome(partition, finished.ledgerOffset(), requestId))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToUni(event -> writer.write(partition, epoch, List.of(outcomes.record(event)))
                        .replaceWith(event));
    }

    private OutcomeEvent readOutcome(int partition, long offset, String requestId) {
        TopicPartition tp = new TopicPartition(topic, partition);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < until) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= offset && requestId.equals(r.key()) && r.value() != null) {
                        LedgerEntry e = parse(r.value(), topic + "-" + partition + "@" + r.offset());
                        if (e != null && e.outcome() != null) {
                            return e.outcome();
                        }
                    }
                }
            }
        }
        throw new IllegalStateException("the outcome of requestId=" + requestId + " is not at " + topic + "-"
                + partition + "@" + offset + " any more");
    }

    /** Tombstones finished entries older than the retention, in the partitions this instance owns. */
    public Uni<Integer> sweep() {
        long horizon = clock.instant().minus(retention).toEpochMilli();
        List<Uni<Void>> writes = new ArrayList<>();
        owned.forEach((partition, o) -> o.finished().forEach((requestId, f) -> {
            if (f.updatedAtMillis() < horizon) {
                writes.add(writer.write(partition, o.epoch(),
                                List.of(new ProducerRecord<>(topic, partition, requestId, (String) null)))
                        .invoke(() -> o.finished().remove(requestId, f)).replaceWithVoid());
            }
        }));
        if (writes.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Uni.join().all(writes).andCollectFailures().map(List::size).onFailure().recoverWithItem(0);
    }

    private Uni<Void> write(JobContext ctx, LedgerEntry entry, ProducerRecord<String, String> event) {
        int partition = entry.sourcePartition();
        List<ProducerRecord<String, String>> records = new ArrayList<>(2);
        records.add(new ProducerRecord<>(topic, partition, entry.requestId(), serialize(entry)));
        if (event != null) {
            records.add(event);
        }
        return writer.write(partition, ctx.epoch(), records)
                .invoke(metadata -> remember(partition, ctx.epoch(), entry, metadata.get(0)))
                .replaceWithVoid()
                .onFailure(NotOwnerException.class)
                .transform(f -> new JobCancelledException(entry.requestId()));
    }

    private void remember(int partition, long epoch, LedgerEntry entry, RecordMetadata metadata) {
        Owned o = owned.get(partition);
        if (o == null || o.epoch() != epoch) {
            return;
        }
        if (entry.state().isTerminal()) {
            o.open().remove(entry.requestId());
            o.finished().put(entry.requestId(), entry.toFinished(metadata == null ? -1 : metadata.offset()));
        } else {
            o.open().put(entry.requestId(), entry);
        }
    }

    private String serialize(LedgerEntry e) {
        try {
            return mapper.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("ledger entry not serializable", ex);
        }
    }

    private LedgerEntry parse(String value, String where) {
        try {
            return mapper.readValue(value, LedgerEntry.class);
        } catch (Exception e) {
            // A record this version cannot read must not stop the partition: skip it, loudly.
            Log.errorf("ledger record %s unreadable, skipped: %s", where, e.getMessage());
            return null;
        }
    }
}
