package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.JobCancelledException;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobJournal;
import dev.hostupiso.worker.job.JobState;
import dev.hostupiso.worker.messaging.OutcomeEvent;
import dev.hostupiso.worker.messaging.OutcomePublisher;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
import java.util.concurrent.ConcurrentHashMap;

/**
 * The job ledger: each request's state machine in a compacted Kafka topic, keyed by requestId and
 * written to the same partition number as the request record, so ownership of a request partition
 * is ownership of its jobs. This instance keeps the entries of the partitions it owns in memory,
 * loaded from the topic when a partition is assigned and updated by its own (committed) writes.
 */
@ApplicationScoped
public class JobLedger implements JobJournal {

    private final Map<Integer, Map<String, LedgerEntry>> owned = new ConcurrentHashMap<>();
    private final LedgerWriter writer;
    private final OutcomePublisher outcomes;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final String topic;
    private final Duration retention;
    private final Map<String, Object> consumerConfig;

    public JobLedger(LedgerWriter writer, OutcomePublisher outcomes, ObjectMapper mapper, Clock clock, WorkerConfig config,
                     @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.writer = writer;
        this.outcomes = outcomes;
        this.mapper = mapper;
        this.clock = clock;
        this.topic = config.ledgerTopic();
        this.retention = config.ledger().retention();
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.keySet().removeIf(k -> k.startsWith("group.") || k.startsWith("transactional."));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "isoworker-ledger-reader");
        this.consumerConfig = props;
    }

    public boolean owns(int partition) {
        return owned.containsKey(partition);
    }

    public LedgerEntry get(int partition, String requestId) {
        Map<String, LedgerEntry> entries = owned.get(partition);
        return entries == null ? null : entries.get(requestId);
    }

    /**
     * Takes ownership of {@code partitions}: reads each ledger partition to its end (committed
     * records only) and answers the entries whose jobs must be resumed. Blocking; called on the
     * consumer's thread during a rebalance, before any request record of those partitions.
     */
    public List<LedgerEntry> load(Collection<Integer> partitions) {
        writer.start();
        List<LedgerEntry> unfinished = new ArrayList<>();
        if (partitions.isEmpty()) {
            return unfinished;
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            Map<Integer, Map<String, LedgerEntry>> loaded = new HashMap<>();
            partitions.forEach(p -> loaded.put(p, new ConcurrentHashMap<>()));
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    Map<String, LedgerEntry> entries = loaded.get(r.partition());
                    if (r.value() == null) {
                        entries.remove(r.key());
                    } else {
                        LedgerEntry e = parse(r);
                        if (e != null) {
                            entries.put(r.key(), e);
                        }
                    }
                }
            }
            loaded.forEach((p, entries) -> {
                owned.put(p, entries);
                entries.values().stream().filter(e -> !e.state().isTerminal()).forEach(unfinished::add);
                Log.infof("ledger partition %d loaded: %d entries, %d to resume", p, entries.size(),
                        entries.values().stream().filter(e -> !e.state().isTerminal()).count());
            });
        }
        return unfinished;
    }

    /** Gives up {@code partitions}: their writes still queued are dropped, the one in progress finishes. */
    public void release(Collection<Integer> partitions) {
        partitions.forEach(owned::remove);
        writer.awaitIdle(Duration.ofSeconds(10));
    }

    /** Records a new request; completes once durable (then its offset may be committed). */
    public Uni<Void> received(JobContext ctx, long sourceOffset) {
        return write(LedgerEntry.received(ctx, sourceOffset, clock.instant()), null);
    }

    @Override
    public Uni<Void> record(JobContext ctx, JobState state) {
        LedgerEntry current = get(ctx.partition(), ctx.request().requestId());
        if (current == null) {
            return Uni.createFrom().failure(new JobCancelledException(ctx.request().requestId()));
        }
        return write(current.progressed(ctx, state, clock.instant()), null);
    }

    /**
     * Publishes {@code event} and the request's terminal ledger record in one transaction. For a
     * request refused before it had an entry, {@code receivedOffset} creates one.
     */
    public Uni<Void> finish(JobContext ctx, OutcomeEvent event, long receivedOffset) {
        LedgerEntry current = get(ctx.partition(), ctx.request().requestId());
        LedgerEntry base = current != null ? current : LedgerEntry.received(ctx, receivedOffset, clock.instant());
        return write(base.finished(event, clock.instant()), outcomes.record(event));
    }

    /** Publishes a recorded outcome again (a duplicate request asked for it); same event id. */
    public Uni<Void> republish(int partition, OutcomeEvent event) {
        return writer.write(List.of(outcomes.record(event)), () -> owns(partition));
    }

    /** Tombstones finished entries older than the retention, in the partitions this instance owns. */
    public Uni<Integer> sweep() {
        Instant horizon = clock.instant().minus(retention);
        List<Uni<Void>> writes = new ArrayList<>();
        owned.forEach((partition, entries) -> entries.values().stream()
                .filter(e -> e.state().isTerminal() && e.updatedAt().isBefore(horizon))
                .forEach(e -> writes.add(writer.write(
                                List.of(new ProducerRecord<>(topic, partition, e.requestId(), (String) null)),
                                () -> owns(partition))
                        .invoke(() -> entries.remove(e.requestId(), e)))));
        if (writes.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Uni.join().all(writes).andCollectFailures().map(List::size)
                .onFailure().recoverWithItem(0);
    }

    private Uni<Void> write(LedgerEntry entry, ProducerRecord<String, String> event) {
        int partition = entry.sourcePartition();
        List<ProducerRecord<String, String>> records = new ArrayList<>(2);
        records.add(new ProducerRecord<>(topic, partition, entry.requestId(), serialize(entry)));
        if (event != null) {
            records.add(event);
        }
        return writer.write(records, () -> owns(partition))
                .invoke(() -> {
                    Map<String, LedgerEntry> entries = owned.get(partition);
                    if (entries != null) {
                        entries.put(entry.requestId(), entry);
                    }
                })
                .onFailure(LedgerWriter.NotOwnerException.class)
                .transform(f -> new JobCancelledException(entry.requestId()));
    }

    private String serialize(LedgerEntry e) {
        try {
            return mapper.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("ledger entry not serializable", ex);
        }
    }

    private LedgerEntry parse(ConsumerRecord<String, String> r) {
        try {
            return mapper.readValue(r.value(), LedgerEntry.class);
        } catch (Exception e) {
            // A record this version cannot read must not stop the partition: skip it, loudly.
            Log.errorf("ledger record %s-%d@%d unreadable, skipped: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
            return null;
        }
    }
}
