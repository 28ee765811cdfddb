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
import dev.hostupiso.worker.wire.OutcomeEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The job journal on Kafka transactions, which also publishes each request's outcome: a finished job's
 * outcome event is written in the same transaction as its last ledger record, so a request is recorded
 * finished exactly when its outcome is published.
 * <p>
 * The job ledger: each request's state machine in a compacted Kafka topic, keyed by requestId and
 * written to the same partition number as the request record, so ownership of a request partition
 * is ownership of its jobs. Requests of several topics (the shared one and the teams') share the
 * ledger: a team topic's entries are keyed {@code <topic>/<requestId>} (a requestId has no
 * {@code /}), so each request topic-partition has its own entries, its own transactional writer
 * and its own owner. This instance keeps the entries of the partitions it owns in memory,
 * loaded from the topic when a partition is assigned and updated by its own (committed) writes:
 * unfinished entries in full, finished ones only as much as deduplication needs
 * ({@link FinishedEntry}).
 */
@ApplicationScoped
public class JournalAndOutcomePublisher implements JobJournal {

    private static final Logger LOG = Logger.getLogger(JournalAndOutcomePublisher.class);

    /** The entries of one request partition for one assignment of it. */
    record Owned(long epoch, Map<String, LedgerEntry> open, Map<String, FinishedEntry> finished) {
    }

    /** By request topic-partition. */
    private final Map<TopicPartition, Owned> owned = new ConcurrentHashMap<>();
    private final List<Consumer<TopicPartition>> lostListeners = new CopyOnWriteArrayList<>();
    private final LedgerWriter writer;
    private final OutcomeRecords outcomes;
    private final ObjectMapper mapper;
    private final LedgerReader reader;
    private final Clock clock;
    private final String topic;
    private final String sharedRequests;
    private final Duration retention;

    public JournalAndOutcomePublisher(LedgerWriter writer, OutcomeRecords outcomes, ObjectMapper mapper, Clock clock, WorkerConfig config,
                     @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.writer = writer;
        this.outcomes = outcomes;
        this.mapper = mapper;
        this.clock = clock;
        this.topic = config.ledgerTopic();
        this.sharedRequests = config.requestsTopic();
        this.retention = config.ledger().retention();
        Map<String, Object> props = KafkaClientConfig.shared(kafkaConfig);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "isoworker-ledger-reader");
        this.reader = new LedgerReader(props, topic, sharedRequests, mapper, clock);
        writer.onPartitionLost(p -> {
            owned.remove(p);
            lostListeners.forEach(l -> l.accept(p));
        });
    }

    /**
     * Runs {@code listener} with a partition taken over by another instance while this one thought
     * it owned it (its ledger writer was fenced); the partition's entries are already dropped.
     */
    public void onPartitionLost(Consumer<TopicPartition> listener) {
        lostListeners.add(listener);
    }

    /**
     * Request partitions whose ledger writer ended here (fenced, or unsure whether its last commit
     * landed) and that were neither released nor loaded afresh since: held, but not writable.
     */
    public java.util.Set<TopicPartition> orphaned() {
        return writer.orphaned();
    }

    /** The request topic-partition a job's request was read from. */
    public TopicPartition sourceOf(JobContext ctx) {
        return new TopicPartition(ctx.topic() == null ? sharedRequests : ctx.topic(), ctx.partition());
    }

    /** The epoch of this instance's current assignment of request {@code partition}, or -1 when not owned. */
    public long epochOf(TopicPartition partition) {
        Owned o = owned.get(partition);
        return o == null ? -1 : o.epoch();
    }

    /** The unfinished entry of {@code requestId}, if this instance owns one. */
    public LedgerEntry open(TopicPartition partition, String requestId) {
        Owned o = owned.get(partition);
        return o == null ? null : o.open().get(requestId);
    }

    /** What is kept of {@code requestId} once finished, if this instance owns it. */
    public Optional<FinishedEntry> finished(TopicPartition partition, String requestId) {
        Owned o = owned.get(partition);
        return o == null ? Optional.empty() : Optional.ofNullable(o.finished().get(requestId));
    }

    /**
     * Takes ownership of request {@code partitions}: fences their previous owners (which aborts any
     * transaction they left open), reads their ledger partitions to the end (committed records only)
     * and answers, by request partition, the entries whose jobs must be resumed. Blocking; called on
     * the consumer's thread during a rebalance, before any request record of those partitions.
     */
    public Map<TopicPartition, List<LedgerEntry>> load(Collection<TopicPartition> partitions) {
        Map<TopicPartition, List<LedgerEntry>> unfinished = new HashMap<>();
        if (partitions.isEmpty()) {
            return unfinished;
        }
        Map<TopicPartition, Long> epochs = writer.open(partitions);
        Map<TopicPartition, Owned> loaded = new HashMap<>();
        partitions.forEach(p -> loaded.put(p, new Owned(epochs.get(p), new ConcurrentHashMap<>(), new ConcurrentHashMap<>())));
        reader.readInto(loaded);
        loaded.forEach((p, o) -> {
            owned.put(p, o);
            unfinished.put(p, List.copyOf(o.open().values()));
            LOG.infof("ledger of %s loaded: %d finished, %d to resume", p, o.finished().size(), o.open().size());
        });
        return unfinished;
    }

    /** Gives up {@code partitions}: nothing queued under their assignments is committed any more. */
    public void release(Collection<TopicPartition> partitions) {
        partitions.forEach(owned::remove);
        writer.close(partitions);
    }

    /** Records a new request; completes once durable (then its offset may be committed). */
    public Uni<Void> received(JobContext ctx, long sourceOffset) {
        return write(ctx, LedgerEntry.received(ctx, sourceOffset, clock.instant()), null);
    }

    @Override
    public Uni<Void> record(JobContext ctx, JobState state) {
        LedgerEntry current = open(sourceOf(ctx), ctx.request().requestId());
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
        LedgerEntry current = open(sourceOf(ctx), ctx.request().requestId());
        LedgerEntry base = current != null ? current : LedgerEntry.received(ctx, receivedOffset, clock.instant());
        String eventsTopic = outcomes.topicFor(sourceOf(ctx).topic());
        return write(ctx, base.finished(event, clock.instant()), outcomes.record(event, eventsTopic)).replaceWith(event)
                .onFailure(RecordRejectedException.class).recoverWithUni(rejected -> {
                    OutcomeEvent minimal = event.withoutDetails(rejected.getMessage());
                    LOG.errorf("requestId=%s outcome refused by Kafka (%s): publishing a minimal worker_error outcome",
                            ctx.request().requestId(), rejected.getMessage());
                    return write(ctx, base.withoutRequest().finished(minimal, clock.instant()), outcomes.record(minimal, eventsTopic))
                            .replaceWith(minimal);
                });
    }

    /**
     * Publishes a finished request's recorded outcome again (a new record asked with its requestId):
     * the same event, same {@code ce_id}, read back from the ledger topic.
     */
    public Uni<OutcomeEvent> republish(TopicPartition partition, String requestId, FinishedEntry finished) {
        long epoch = epochOf(partition);
        String eventsTopic = outcomes.topicFor(partition.topic());
        return reader.readOutcome(partition.partition(), finished.ledgerOffset(), reader.keyOf(partition, requestId))
                .onItem().transformToUni(event -> writer.write(partition, epoch, List.of(outcomes.record(event, eventsTopic)))
                        .replaceWith(event));
    }

    /** Tombstones finished entries older than the retention, in the partitions this instance owns. */
    public Uni<Integer> sweep() {
        long horizon = clock.instant().minus(retention).toEpochMilli();
        List<Uni<Void>> writes = new ArrayList<>();
        owned.forEach((partition, o) -> o.finished().forEach((requestId, f) -> {
            if (f.updatedAtMillis() < horizon) {
                writes.add(writer.write(partition, o.epoch(),
                                List.of(new ProducerRecord<>(topic, partition.partition(), reader.keyOf(partition, requestId), (String) null)))
                        .invoke(() -> o.finished().remove(requestId, f)).replaceWithVoid());
            }
        }));
        if (writes.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Uni.join().all(writes).andCollectFailures().map(List::size).onFailure().recoverWithItem(0);
    }

    private Uni<Void> write(JobContext ctx, LedgerEntry entry, ProducerRecord<String, String> event) {
        TopicPartition partition = sourceOf(ctx);
        List<ProducerRecord<String, String>> records = new ArrayList<>(2);
        records.add(new ProducerRecord<>(topic, partition.partition(), reader.keyOf(partition, entry.requestId()), serialize(entry)));
        if (event != null) {
            records.add(event);
        }
        return writer.write(partition, ctx.epoch(), records)
                .invoke(metadata -> remember(partition, ctx.epoch(), entry, metadata.get(0)))
                .replaceWithVoid()
                .onFailure(NotOwnerException.class)
                .transform(f -> new JobCancelledException(entry.requestId()));
    }

    private void remember(TopicPartition partition, long epoch, LedgerEntry entry, RecordMetadata metadata) {
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

}