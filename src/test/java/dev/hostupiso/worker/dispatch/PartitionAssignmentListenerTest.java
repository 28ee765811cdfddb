package dev.hostupiso.worker.dispatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.TeamTopics;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.ledger.JournalAndOutcomePublisher;
import dev.hostupiso.worker.ledger.LedgerEntry;
import dev.hostupiso.worker.ledger.LedgerWriter;
import dev.hostupiso.worker.ledger.OutcomeRecords;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.testsupport.TestConfig;
import dev.hostupiso.worker.timing.Delays;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PartitionAssignmentListener} on a mock consumer, an in-memory ledger and a real dispatcher: what an
 * assignment loads, what a revocation or loss hands over, the budget share that follows the partitions owned,
 * and a partition kept after its ledger writer ended. No broker.
 */
class PartitionAssignmentListenerTest {

    private static final String REQUESTS = "iso-download-requests";

    private final ManualClock clock = new ManualClock();
    private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
    private final WorkerConfig config = TestConfig.worker(Map.of("iso.hand-over-grace", "1s"));
    private final TeamTopics topics = TestConfig.teams(Map.of());
    private final Vertx vertx = Vertx.vertx();
    private final MemoryLedger ledger = new MemoryLedger();
    private final AssignmentShare share = new AssignmentShare(false);
    private final List<String> rebalances = new ArrayList<>();
    private final PartitionReclaim reclaim = new PartitionReclaim(ledger, rebalances::add, metrics, clock);
    private final JobDispatcher dispatcher = new JobDispatcher(new InFlightRequests(clock, () -> { }), ledger,
            ctx -> Uni.createFrom().nothing(), metrics, clock, config, reclaim);
    private final PartitionAssignmentListener listener = new PartitionAssignmentListener(ledger, dispatcher, topics, share,
            reclaim);
    private final MockConsumer<String, String> consumer = new MockConsumer<>("earliest");

    PartitionAssignmentListenerTest() {
        consumer.updatePartitions(REQUESTS, IntStream.range(0, 4)
                .mapToObj(p -> new PartitionInfo(REQUESTS, p, Node.noNode(), new Node[0], new Node[0])).toList());
    }

    @AfterEach
    void closeVertx() {
        vertx.closeAndAwait();
    }

    @Test
    void assignedRequestPartitionsAreLoadedInOrderAndOtherTopicsAreNot() {
        List<TopicPartition> assigned = List.of(tp(3), new TopicPartition("some-other-topic", 0), tp(1));
        consumer.assign(assigned);

        listener.onPartitionsAssigned(consumer, assigned);

        assertThat(ledger.loads).containsExactly(List.of(tp(1), tp(3)));
        assertThat(share.share()).isEqualTo(0.5); // 2 of the request topic's 4 partitions
    }

    @Test
    void revokedPartitionsAreHandedOverAndLeaveTheShare() {
        List<TopicPartition> all = List.of(tp(0), tp(1), tp(2), tp(3));
        consumer.assign(all);
        listener.onPartitionsAssigned(consumer, all);
        assertThat(share.share()).isEqualTo(1.0);

        listener.onPartitionsRevoked(consumer, List.of(tp(2), tp(0)));

        assertThat(ledger.released).containsExactly(tp(0), tp(2));
        assertThat(share.share()).isEqualTo(0.5); // still listed in the assignment while being revoked
    }

    @Test
    void lostPartitionsAreHandedOverLikeRevokedOnes() {
        List<TopicPartition> all = List.of(tp(0), tp(1));
        consumer.assign(all);
        listener.onPartitionsAssigned(consumer, all);

        listener.onPartitionsLost(consumer, List.of(tp(1)));

        assertThat(ledger.released).containsExactly(tp(1));
        assertThat(share.share()).isEqualTo(0.25);
    }

    @Test
    void aPartitionKeptAfterItsLedgerWriterEndedIsLoadedAgainAndRewoundToItsCommittedOffset() {
        consumer.assign(List.of(tp(0), tp(1)));
        consumer.updateBeginningOffsets(Map.of(tp(0), 0L, tp(1), 0L));
        consumer.commitSync(Map.of(tp(1), new OffsetAndMetadata(7)));
        consumer.seek(tp(1), 12);
        ledger.orphaned.add(tp(1));

        listener.onPartitionsAssigned(consumer, List.of()); // a rebalance that moved nothing

        assertThat(ledger.loads).containsExactly(List.of(tp(1)));
        assertThat(consumer.position(tp(1))).isEqualTo(7);
        assertThat(consumer.position(tp(0))).isZero();
    }

    @Test
    void aRebalanceThatMovedNothingLoadsNothing() {
        consumer.assign(List.of(tp(0)));

        listener.onPartitionsAssigned(consumer, List.of());

        assertThat(ledger.loads).isEmpty();
        assertThat(share.share()).isEqualTo(0.25);
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition(REQUESTS, partition);
    }

    /** The ledger's partition bookkeeping in memory: loads recorded, nothing to resume, releases recorded. */
    private final class MemoryLedger extends JournalAndOutcomePublisher {
        final List<List<TopicPartition>> loads = new ArrayList<>();
        final List<TopicPartition> released = new ArrayList<>();
        final Set<TopicPartition> orphaned = new HashSet<>();

        MemoryLedger() {
            super(new LedgerWriter(Map.of(), config, metrics, clock, vertx,
                    new Delays(vertx), new Random()), new OutcomeRecords(new ObjectMapper(), config, topics),
                    new ObjectMapper(), clock, config, Map.of());
        }

        @Override
        public Map<TopicPartition, List<LedgerEntry>> load(Collection<TopicPartition> partitions) {
            loads.add(List.copyOf(partitions));
            orphaned.removeAll(partitions);
            return Map.of();
        }

        @Override
        public void release(Collection<TopicPartition> partitions) {
            released.addAll(partitions);
        }

        @Override
        public Set<TopicPartition> orphaned() {
            return Set.copyOf(orphaned);
        }
    }
}
