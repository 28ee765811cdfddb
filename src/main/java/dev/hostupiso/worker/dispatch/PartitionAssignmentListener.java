package dev.hostupiso.worker.dispatch;

import dev.hostupiso.worker.config.TeamTopics;
import dev.hostupiso.worker.ledger.JournalAndOutcomePublisher;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Ownership follows Kafka: when request partitions are assigned, their ledger partitions are loaded
 * and unfinished jobs resumed; when they are revoked or lost, their jobs stop and the next owner
 * resumes them; a partition kept through a rebalance after its ledger writer ended is loaded again.
 * Runs on the consumer's thread, before records of new partitions are delivered.
 * Partitions are those of every request topic (the shared one and the teams'), each its own.
 */
@ApplicationScoped
@Identifier(PartitionAssignmentListener.NAME)
public class PartitionAssignmentListener implements KafkaConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(PartitionAssignmentListener.class);

    public static final String NAME = "iso-requests-rebalance";

    private final JournalAndOutcomePublisher ledger;
    private final JobDispatcher dispatcher;
    private final Set<String> requestTopics;
    private final AssignmentShare share;
    private final PartitionReclaim reclaim;

    public PartitionAssignmentListener(JournalAndOutcomePublisher ledger, JobDispatcher dispatcher, TeamTopics topics,
                                       AssignmentShare share, PartitionReclaim reclaim) {
        this.ledger = ledger;
        this.dispatcher = dispatcher;
        this.requestTopics = Set.copyOf(topics.requestTopics());
        this.share = share;
        this.reclaim = reclaim;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        updateShare(consumer);
        List<TopicPartition> ps = partitionsOf(partitions);
        if (!ps.isEmpty()) {
            LOG.infof("assigned request partitions %s: loading their ledger", ps);
            ledger.load(ps).forEach(dispatcher::resume);
        }
        // Every rebalance ends here, also one that moved nothing: partitions still held whose writer ended are
        // confirmed as this instance's, so they are loaded afresh and what was left unacknowledged comes again.
        List<TopicPartition> confirmed = reclaim.confirmed(consumer, ps);
        if (!confirmed.isEmpty()) {
            LOG.infof("request partitions %s kept after their ledger writer ended: loading their ledger again", confirmed);
            ledger.load(confirmed).forEach(dispatcher::resume);
            reclaim.rewind(consumer, confirmed);
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<TopicPartition> ps = partitionsOf(partitions);
        if (!ps.isEmpty()) {
            LOG.infof("revoked request partitions %s: handing their jobs over", ps);
            dispatcher.handOver(ps);
        }
        updateShare(consumer, ps.size());
    }

    private void updateShare(Consumer<?, ?> consumer) {
        updateShare(consumer, 0);
    }

    /**
     * The share of the key's budget follows the partitions owned, of all request topics (the assignment may still
     * list {@code leaving} partitions being revoked). A failing metadata read keeps the last share: it is only a
     * pacing input.
     */
    private void updateShare(Consumer<?, ?> consumer, int leaving) {
        try {
            int owned = (int) consumer.assignment().stream().filter(tp -> requestTopics.contains(tp.topic())).count();
            int total = 0;
            for (String topic : requestTopics) {
                var infos = consumer.partitionsFor(topic);
                total += infos == null ? 0 : infos.size();
            }
            share.assignment(Math.max(0, owned - leaving), total);
            LOG.infof("share of the API key's budget: %d of %d request partitions", Math.max(0, owned - leaving), total);
        } catch (RuntimeException e) {
            LOG.warnf("could not read the request topic's partitions for the budget share: %s", e.toString());
        }
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevoked(consumer, partitions);
    }

    private List<TopicPartition> partitionsOf(Collection<TopicPartition> partitions) {
        return partitions.stream().filter(tp -> requestTopics.contains(tp.topic()))
                .sorted(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition)).toList();
    }
}
