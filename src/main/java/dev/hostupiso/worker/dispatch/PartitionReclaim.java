package dev.hostupiso.worker.dispatch;

import dev.hostupiso.worker.ledger.JournalAndOutcomePublisher;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gets back the request partitions the consumer holds while their ledger writer has ended (fenced,
 * or unsure whether its last commit landed): the jobs there stopped and nothing may be written, so
 * records of such an <em>orphaned</em> partition are not acknowledged, and the group is asked to
 * rebalance. A rebalance that leaves the partition here confirms this instance owns it in the
 * group's current generation: it is then loaded afresh (a new writer, which settles the transaction
 * left in doubt) and rewound to its committed offset, so the records left unacknowledged meanwhile
 * come again. If the partition goes elsewhere instead, its next owner reads them from that offset.
 */
@ApplicationScoped
public class PartitionReclaim {

    private static final Logger LOG = Logger.getLogger(PartitionReclaim.class);

    /** The request channel whose consumer is asked to rebalance. */
    static final String CHANNEL = "iso-requests";
    /** A rebalance asked for and not yet seen is asked for again, at most this often. */
    static final Duration ASK_AGAIN_AFTER = Duration.ofSeconds(10);

    private final JournalAndOutcomePublisher ledger;
    private final java.util.function.Consumer<String> rebalance;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private volatile long askedAtMillis = Long.MIN_VALUE / 2;

    @Inject
    public PartitionReclaim(JournalAndOutcomePublisher ledger, KafkaClientService kafka, WorkerMetrics metrics, Clock clock) {
        this(ledger, reason -> enforceRebalance(kafka, reason), metrics, clock);
    }

    /** @param rebalance asks the request consumer to rejoin its group, for the given reason */
    PartitionReclaim(JournalAndOutcomePublisher ledger, java.util.function.Consumer<String> rebalance, WorkerMetrics metrics, Clock clock) {
        this.ledger = ledger;
        this.rebalance = rebalance;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The writer of {@code partition} ended while the consumer holds it: ask for a rebalance. */
    void orphaned(TopicPartition partition) {
        ask("the ledger writer of request partition " + partition + " ended");
    }

    /**
     * A record of {@code partition} arrived and this instance cannot write it. Answers whether the
     * partition is orphaned here: the record is then left unacknowledged for its redelivery (counted),
     * and the rebalance asked for again if none came. Otherwise the partition left (the record was
     * fetched before the revocation) and its next owner has the record.
     */
    boolean defer(TopicPartition partition) {
        if (!ledger.orphaned().contains(partition)) {
            return false;
        }
        metrics.requestDeferred();
        if (clock.millis() - askedAtMillis >= ASK_AGAIN_AFTER.toMillis()) {
            ask("a record arrived for orphaned request partition " + partition);
        }
        return true;
    }

    /**
     * At the end of a rebalance ({@code added}: the partitions it newly assigned): the orphaned
     * partitions the consumer still holds, which the rebalance has confirmed as this instance's.
     */
    List<TopicPartition> confirmed(Consumer<?, ?> consumer, Collection<TopicPartition> added) {
        Set<TopicPartition> held = consumer.assignment();
        return ledger.orphaned().stream().filter(held::contains).filter(p -> !added.contains(p))
                .sorted(java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition))
                .toList();
    }

    /** Moves {@code partitions} back to their committed offsets: what was left unacknowledged comes again. */
    void rewind(Consumer<?, ?> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata at = committed.get(tp);
            if (at != null) {
                consumer.seek(tp, at.offset());
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
        LOG.infof("request partitions %s reloaded after their ledger writer ended; rewound to their committed offsets",
                partitions);
    }

    private void ask(String reason) {
        askedAtMillis = clock.millis();
        LOG.warnf("%s: asking the consumer group to rebalance", reason);
        rebalance.accept(reason);
    }

    private static void enforceRebalance(KafkaClientService kafka, String reason) {
        List<KafkaConsumer<Object, Object>> consumers = kafka.getConsumers(CHANNEL);
        if (consumers == null || consumers.isEmpty()) {
            LOG.warnf("no consumer on channel %s to rebalance", CHANNEL);
            return;
        }
        java.util.function.Consumer<Consumer<Object, Object>> rejoin = c -> c.enforceRebalance(reason);
        consumers.forEach(c -> c.runOnPollingThread(rejoin).subscribe().with(
                done -> { }, f -> LOG.warnf("could not ask the consumer group to rebalance: %s", f.toString())));
    }
}
