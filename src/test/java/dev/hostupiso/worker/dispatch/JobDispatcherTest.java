package dev.hostupiso.worker.dispatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.TeamTopics;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobRunner;
import dev.hostupiso.worker.ledger.FinishedEntry;
import dev.hostupiso.worker.ledger.JournalAndOutcomePublisher;
import dev.hostupiso.worker.ledger.LedgerEntry;
import dev.hostupiso.worker.ledger.LedgerWriter;
import dev.hostupiso.worker.ledger.OutcomeRecords;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.testsupport.TestConfig;
import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.JobResult;
import dev.hostupiso.worker.wire.OutcomeEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.core.Vertx;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JobDispatcher} with an in-memory ledger and a runner whose jobs the test ends: what a
 * delivery starts, joins or acknowledges, and what a hand-over stops. No broker, no HostUp.
 */
class JobDispatcherTest {

    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkerMetrics metrics = new WorkerMetrics(registry);
    private final WorkerConfig config = TestConfig.worker(Map.of("iso.hand-over-grace", "1s"));
    private static final String REQUESTS = "iso-download-requests";
    private static final TeamTopics TOPICS = TestConfig.teams(Map.of());
    private final Vertx vertx = Vertx.vertx();
    private final MemoryLedger ledger = new MemoryLedger();
    private final AtomicInteger slotsFreed = new AtomicInteger();
    private final InFlightRequests inFlight = new InFlightRequests(clock, slotsFreed::incrementAndGet);
    /** Jobs started, by requestId: the test completes or watches them. */
    private final Map<String, UniEmitter<? super JobResult>> jobs = new HashMap<>();
    private final Map<String, AtomicBoolean> stopped = new HashMap<>();
    /** Rebalances the dispatcher asked the consumer for, by reason. */
    private final List<String> rebalances = new ArrayList<>();
    private final PartitionReclaim reclaim = new PartitionReclaim(ledger, rebalances::add, metrics, clock);
    private final JobDispatcher dispatcher = new JobDispatcher(inFlight, ledger, new ControlledRunner(), metrics, clock, config, reclaim);
    private final AtomicInteger acks = new AtomicInteger();

    @AfterEach
    void closeVertx() {
        vertx.closeAndAwait();
    }

    private final class ControlledRunner implements JobRunner {

        @Override
        public Uni<JobResult> run(JobContext ctx) {
            String id = ctx.request().requestId();
            stopped.put(id, new AtomicBoolean());
            return Uni.createFrom().emitter(e -> {
                jobs.put(id, e);
                e.onTermination(() -> stopped.get(id).set(true));
            });
        }
    }

    /** The ledger's decisions in memory: every partition owned under epoch 1, nothing recorded before. */
    private final class MemoryLedger extends JournalAndOutcomePublisher {
        final List<String> received = new ArrayList<>();
        final List<OutcomeEvent> finished = new ArrayList<>();
        final List<TopicPartition> released = new ArrayList<>();
        final java.util.Set<TopicPartition> orphaned = new java.util.HashSet<>();
        final List<java.util.function.Consumer<TopicPartition>> lostListeners = new ArrayList<>();
        final List<List<TopicPartition>> loads = new ArrayList<>();

        @Override
        public Map<TopicPartition, List<LedgerEntry>> load(Collection<TopicPartition> partitions) {
            loads.add(List.copyOf(partitions));
            orphaned.removeAll(partitions);
            released.removeAll(partitions);
            return Map.of();
        }

        MemoryLedger() {
            super(new LedgerWriter(Map.of(), config, metrics, clock, vertx,
                    new Delays(vertx), new Random()), new OutcomeRecords(new ObjectMapper(), config, TOPICS),
                    new ObjectMapper(), clock, config, Map.of());
        }

        @Override
        public long epochOf(TopicPartition partition) {
            return released.contains(partition) || orphaned.contains(partition) ? -1 : 1;
        }

        @Override
        public java.util.Set<TopicPartition> orphaned() {
            return java.util.Set.copyOf(orphaned);
        }

        @Override
        public void onPartitionLost(java.util.function.Consumer<TopicPartition> listener) {
            lostListeners.add(listener);
        }

        /** The partition's writer ended while the consumer holds it (what the real ledger reports). */
        void loseWriter(int partition) {
            orphaned.add(tp(partition));
            lostListeners.forEach(l -> l.accept(tp(partition)));
        }

        @Override
        public LedgerEntry open(TopicPartition partition, String requestId) {
            return null;
        }

        @Override
        public Optional<FinishedEntry> finished(TopicPartition partition, String requestId) {
            return Optional.empty();
        }

        @Override
        public Uni<Void> received(JobContext ctx, long sourceOffset) {
            received.add(ctx.request().requestId());
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<OutcomeEvent> finish(JobContext ctx, OutcomeEvent event, long receivedOffset) {
            finished.add(event);
            return Uni.createFrom().item(event);
        }

        @Override
        public void release(Collection<TopicPartition> partitions) {
            released.addAll(partitions);
        }
    }

    private void deliver(String requestId, int partition) {
        IsoRequest r = new IsoRequest(requestId, "vps_a", "https://example.org/x.iso", "x.iso", "none");
        Message<String> record = Message.of("value", () -> {
            acks.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });
        dispatcher.dispatch(r, List.of(), record, tp(partition), 7);
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition(REQUESTS, partition);
    }

    private JobResult failedResult(String requestId) {
        IsoRequest r = new IsoRequest(requestId, "vps_a", "https://example.org/x.iso", "x.iso", "none");
        JobContext ctx = new JobContext(r, clock.instant(), clock.instant().plusSeconds(60), 0, 1);
        return ctx.failed(JobError.of("job_failed", "t", "d", false));
    }

    @Test
    void aNewRequestIsRecordedAcknowledgedRunAndItsOutcomeFinishedInTheLedger() {
        deliver("r-1", 0);
        assertThat(ledger.received).containsExactly("r-1");
        assertThat(acks).as("acknowledged once RECEIVED is durable, before the job ends").hasValue(1);
        jobs.get("r-1").complete(failedResult("r-1"));
        assertThat(ledger.finished).extracting(OutcomeEvent::requestId).containsExactly("r-1");
        assertThat(inFlight.size()).isZero();
        assertThat(slotsFreed).hasValue(1);
    }

    @Test
    void aDuplicateDeliveredWhileTheRequestRunsJoinsItWithoutASecondJob() {
        deliver("r-1", 0);
        deliver("r-1", 0);
        assertThat(jobs).hasSize(1);
        assertThat(ledger.received).containsExactly("r-1");
        assertThat(acks).as("the duplicate waits for the outcome").hasValue(1);
        jobs.get("r-1").complete(failedResult("r-1"));
        assertThat(acks).hasValue(2);
        assertThat(ledger.finished).hasSize(1);
    }

    @Test
    void aHandOverStopsThePartitionsJobsReleasesItAndFinishesNothing() {
        deliver("r-1", 2);
        deliver("r-2", 1);
        dispatcher.handOver(List.of(tp(2)));
        assertThat(stopped.get("r-1")).as("the job's wait was cancelled").isTrue();
        assertThat(stopped.get("r-2")).as("other partitions keep running").isFalse();
        assertThat(ledger.released).containsExactly(tp(2));
        assertThat(inFlight.running(REQUESTS, "r-1")).isEmpty();
        assertThat(inFlight.running(REQUESTS, "r-2")).isPresent();
        assertThat(ledger.finished).as("no outcome from a job that was handed over").isEmpty();

        deliver("r-3", 2);
        assertThat(jobs).as("a request of a released partition is left to its next owner").doesNotContainKey("r-3");
    }

    @Test
    void aRecordOfAPartitionWhoseWriterEndedIsLeftForRedeliveryAndTheGroupIsAskedToRebalance() {
        deliver("r-1", 0);
        ledger.loseWriter(0);
        assertThat(stopped.get("r-1")).as("the partition's jobs stop with its writer").isTrue();
        assertThat(rebalances).as("losing the writer asks the group at once").hasSize(1);

        deliver("r-2", 0);

        assertThat(jobs).as("nothing can be recorded for it here").doesNotContainKey("r-2");
        assertThat(acks).as("not acknowledged: it must come again").hasValue(1);
        assertThat(registry.get(WorkerMetrics.REQUESTS_DEFERRED).counter().count())
                .as("the deferral is counted, not silent").isEqualTo(1.0);
        clock.advance(PartitionReclaim.ASK_AGAIN_AFTER);
        deliver("r-3", 0);
        assertThat(rebalances).as("asked again when no rebalance came").hasSize(2);
    }

    @Test
    void aRebalanceThatKeepsAnOrphanedPartitionHereLoadsItAfreshAndRewindsItToItsCommittedOffset() {
        var consumer = new org.apache.kafka.clients.consumer.MockConsumer<String, String>("earliest");
        var tp0 = tp(0);
        var tp1 = tp(1);
        consumer.assign(List.of(tp0, tp1));
        consumer.updateBeginningOffsets(Map.of(tp0, 0L, tp1, 0L));
        consumer.commitSync(Map.of(tp0, new org.apache.kafka.clients.consumer.OffsetAndMetadata(5)));
        consumer.seek(tp0, 9); // records 5..8 were delivered while the writer was gone, never acknowledged
        consumer.seek(tp1, 4);
        var listener = new PartitionAssignmentListener(ledger, dispatcher, TOPICS, new AssignmentShare(false), reclaim);
        ledger.loseWriter(0);

        listener.onPartitionsAssigned(consumer, List.of()); // the rebalance asked for moved nothing

        assertThat(ledger.loads).as("the partition kept is loaded afresh: a new writer").containsExactly(List.of(tp0));
        assertThat(consumer.position(tp0)).as("what was left unacknowledged comes again").isEqualTo(5);
        assertThat(consumer.position(tp1)).as("other partitions are left alone").isEqualTo(4);
        assertThat(ledger.orphaned()).isEmpty();
    }

    @Test
    void anOrphanedPartitionThatMovedAwayIsNotLoadedHere() {
        var consumer = new org.apache.kafka.clients.consumer.MockConsumer<String, String>("earliest");
        consumer.assign(List.of(tp(1)));
        var listener = new PartitionAssignmentListener(ledger, dispatcher, TOPICS, new AssignmentShare(false), reclaim);
        ledger.loseWriter(0);

        listener.onPartitionsAssigned(consumer, List.of());

        assertThat(ledger.loads).isEmpty();
    }
}
