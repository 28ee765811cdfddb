package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.wire.OutcomeEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the ledger topic: the entries of request partitions being taken over, and a finished
 * request's recorded outcome. Requests of the shared topic are keyed by their requestId, those of a
 * team's topic by {@code <topic>/<requestId>} (a requestId has no {@code /}), so the request topics
 * share the ledger's partitions without sharing entries.
 */
final class LedgerReader {

    private static final Logger LOG = Logger.getLogger(LedgerReader.class);

    /** How long a recorded outcome is looked for at its offset before it counts as gone. */
    static final Duration OUTCOME_WAIT = Duration.ofSeconds(30);

    private final Map<String, Object> consumerConfig;
    private final String topic;
    private final String sharedRequests;
    private final ObjectMapper mapper;
    private final Clock clock;

    /** @param consumerConfig a read_committed consumer's settings */
    LedgerReader(Map<String, Object> consumerConfig, String topic, String sharedRequests, ObjectMapper mapper, Clock clock) {
        this.consumerConfig = consumerConfig;
        this.topic = topic;
        this.sharedRequests = sharedRequests;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Reads the ledger partitions of {@code loaded}'s request partitions to their end, into their entries (blocking). */
    void readInto(Map<TopicPartition, JournalAndOutcomePublisher.Owned> loaded) {
        List<TopicPartition> tps = loaded.keySet().stream().map(p -> new TopicPartition(topic, p.partition())).distinct().toList();
        Map<TopicPartition, Long> end = logEnds(tps);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    apply(loaded, r);
                }
            }
        }
    }

    /**
     * The ledger partitions' log ends, open transactions included. Another request topic's writer
     * may have a transaction open on the same ledger partition; reading committed records up to the
     * log end (not only to the first open transaction) waits for it to end, so no committed record
     * of the partitions being loaded is missed.
     */
    private Map<TopicPartition, Long> logEnds(List<TopicPartition> tps) {
        Map<String, Object> props = new HashMap<>(consumerConfig);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "isoworker-ledger-ends");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            return consumer.endOffsets(tps);
        }
    }

    private void apply(Map<TopicPartition, JournalAndOutcomePublisher.Owned> loaded, ConsumerRecord<String, String> r) {
        if (r.key() == null) {
            return;
        }
        int slash = r.key().indexOf('/');
        String requestTopic = slash < 0 ? sharedRequests : r.key().substring(0, slash);
        String requestId = r.key().substring(slash + 1);
        JournalAndOutcomePublisher.Owned o = loaded.get(new TopicPartition(requestTopic, r.partition()));
        if (o == null) {
            return; // another request topic's entry
        }
        o.open().remove(requestId);
        o.finished().remove(requestId);
        if (r.value() == null) {
            return; // tombstone
        }
        LedgerEntry e = parse(r.value(), r.topic() + "-" + r.partition() + "@" + r.offset());
        if (e == null) {
            return;
        }
        if (e.state().isTerminal()) {
            o.finished().put(requestId, e.toFinished(r.offset()));
        } else {
            o.open().put(requestId, e);
        }
    }

    /** The ledger key of a request: its requestId, prefixed by its topic unless that is the shared one. */
    String keyOf(TopicPartition source, String requestId) {
        return source.topic().equals(sharedRequests) ? requestId : source.topic() + "/" + requestId;
    }

    /**
     * The outcome recorded under {@code key} at {@code offset} of ledger {@code partition}, looked for
     * for {@link #OUTCOME_WAIT} by the injected clock. Each round is one short poll on a worker thread
     * (the consumer blocks), on {@link AsyncLoop} like every other wait.
     */
    Uni<OutcomeEvent> readOutcome(int partition, long offset, String key) {
        return Uni.createFrom().deferred(() -> {
            OutcomeSearch search = new OutcomeSearch(new TopicPartition(topic, partition), offset, key);
            Instant until = clock.instant().plus(OUTCOME_WAIT);
            return AsyncLoop.untilPresent(() -> Uni.createFrom().item(search::pollOnce)
                            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                            .onItem().transformToUni(found -> {
                                if (found.isPresent()) {
                                    return AsyncLoop.done(found.get());
                                }
                                if (clock.instant().isBefore(until)) {
                                    return Uni.createFrom().item(Optional.<OutcomeEvent>empty());
                                }
                                return Uni.createFrom().failure(new IllegalStateException("the outcome of " + key
                                        + " is not at " + topic + "-" + partition + "@" + offset + " any more"));
                            }))
                    .onTermination().invoke(search::close);
        });
    }

    /** One search for a recorded outcome: its consumer, opened at the first poll, closed once. */
    private final class OutcomeSearch {
        private final TopicPartition tp;
        private final long offset;
        private final String key;
        private KafkaConsumer<String, String> consumer;
        private boolean closed;

        OutcomeSearch(TopicPartition tp, long offset, String key) {
            this.tp = tp;
            this.offset = offset;
            this.key = key;
        }

        /** One poll (blocking, at most 200 ms): the outcome if it came. */
        synchronized Optional<OutcomeEvent> pollOnce() {
            if (closed) {
                return Optional.empty();
            }
            if (consumer == null) {
                consumer = new KafkaConsumer<>(consumerConfig);
                consumer.assign(List.of(tp));
                consumer.seek(tp, offset);
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() >= offset && key.equals(r.key()) && r.value() != null) {
                    LedgerEntry e = parse(r.value(), tp + "@" + r.offset());
                    if (e != null && e.outcome() != null) {
                        return Optional.of(e.outcome());
                    }
                }
            }
            return Optional.empty();
        }

        /** Waits for a poll in progress, then closes the consumer. */
        synchronized void close() {
            closed = true;
            if (consumer != null) {
                consumer.close();
            }
        }
    }

    LedgerEntry parse(String value, String where) {
        try {
            return mapper.readValue(value, LedgerEntry.class);
        } catch (Exception e) {
            // A record this version cannot read must not stop the partition: skip it, loudly.
            LOG.errorf("ledger record %s unreadable, skipped: %s", where, e.getMessage());
            return null;
        }
    }
}
