package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.JobCancelledException;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobState;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.testsupport.TestConfig;
import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.OutcomeEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JournalAndOutcomePublisher} on a writer that keeps what it is given: the ledger records a job's steps
 * write, the outcome published in the transaction of the terminal record, the minimal outcome when Kafka refuses
 * the full one, and a step whose partition moved on. No broker (loading partitions reads one: broker tests do that).
 */
class JournalAndOutcomePublisherTest {

    private final ManualClock clock = new ManualClock();
    private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
    private final WorkerConfig config = TestConfig.worker(Map.of());
    private final Vertx vertx = Vertx.vertx();
    private final ObjectMapper mapper = new ObjectMapper().findAndRegisterModules();
    private final KeepingWriter writer = new KeepingWriter();
    private final JournalAndOutcomePublisher ledger = new JournalAndOutcomePublisher(writer,
            new OutcomeRecords(mapper, config, TestConfig.teams(Map.of())), mapper, clock, config, Map.of());
    private final IsoRequest request = new IsoRequest("r-7", "vps_a", "https://example.org/x.iso", "x.iso", "none");
    private final JobContext ctx = new JobContext(request, clock.instant(), clock.instant().plusSeconds(3600), 2, 1);

    @AfterEach
    void closeVertx() {
        vertx.closeAndAwait();
    }

    @Test
    void aReceivedRequestIsOneLedgerRecordKeyedByItsRequestIdOnItsOwnPartition() {
        ledger.received(ctx, 41).await().atMost(Duration.ofSeconds(5));

        assertThat(writer.writes).hasSize(1);
        ProducerRecord<String, String> r = writer.writes.get(0).get(0);
        assertThat(r.topic()).isEqualTo(config.ledgerTopic());
        assertThat(r.partition()).isEqualTo(2);
        assertThat(r.key()).isEqualTo("r-7");
        assertThat(r.value()).contains("\"state\":\"RECEIVED\"");
    }

    @Test
    void theOutcomeIsPublishedInTheTransactionOfTheTerminalRecord() {
        OutcomeEvent event = OutcomeEvent.failed(request, null, 0, JobError.of("job_failed", "t", "d", false),
                clock.instant(), clock.instant());

        OutcomeEvent published = ledger.finish(ctx, event, 41).await().atMost(Duration.ofSeconds(5));

        assertThat(published).isEqualTo(event);
        assertThat(writer.writes).hasSize(1);
        List<ProducerRecord<String, String>> transaction = writer.writes.get(0);
        assertThat(transaction).extracting(ProducerRecord::topic).containsExactly(config.ledgerTopic(), config.eventsTopic());
        assertThat(transaction).extracting(ProducerRecord::key).containsOnly("r-7");
        assertThat(transaction.get(0).value()).contains("\"state\":\"FAILED\"");
    }

    @Test
    void anOutcomeKafkaRefusesIsReplacedByAMinimalOneThatStillSaysHowTheRequestEnded() {
        writer.refuseNext = true;
        OutcomeEvent event = OutcomeEvent.failed(request, null, 0, JobError.of("job_failed", "t", "d", false),
                clock.instant(), clock.instant());

        OutcomeEvent published = ledger.finish(ctx, event, 41).await().atMost(Duration.ofSeconds(5));

        assertThat(published.error().code()).isEqualTo("job_failed");
        assertThat(published.error().title()).isEqualTo("Outcome details dropped");
        assertThat(writer.writes).hasSize(1); // the refused transaction wrote nothing
        assertThat(writer.writes.get(0)).extracting(ProducerRecord::topic).contains(config.eventsTopic());
    }

    @Test
    void aStepWhosePartitionMovedOnEndsTheJobAsHandedOver() {
        writer.notOwner = true;

        Object answer = ledger.received(ctx, 41).onItem().<Object>transform(x -> x)
                .onFailure().recoverWithItem(f -> f).await().atMost(Duration.ofSeconds(5));

        assertThat(answer).isInstanceOf(JobCancelledException.class);
    }

    @Test
    void aStepOfAJobThisInstanceHoldsNoEntryForIsNotWritten() {
        Object answer = ledger.record(ctx, JobState.SUBMITTED).onItem().<Object>transform(x -> x)
                .onFailure().recoverWithItem(f -> f).await().atMost(Duration.ofSeconds(5));

        assertThat(answer).isInstanceOf(JobCancelledException.class);
        assertThat(writer.writes).isEmpty();
    }

    /** Keeps each transaction's records, or refuses them as Kafka would. */
    private final class KeepingWriter extends LedgerWriter {
        final List<List<ProducerRecord<String, String>>> writes = new ArrayList<>();
        boolean refuseNext;
        boolean notOwner;

        KeepingWriter() {
            super(Map.of(), config, metrics, clock, vertx, new Delays(vertx), new Random());
        }

        @Override
        public Uni<List<RecordMetadata>> write(TopicPartition partition, long epoch, List<ProducerRecord<String, String>> records) {
            if (notOwner) {
                return Uni.createFrom().failure(new NotOwnerException());
            }
            if (refuseNext) {
                refuseNext = false;
                return Uni.createFrom().failure(new RecordRejectedException("RecordTooLargeException"));
            }
            writes.add(List.copyOf(records));
            List<RecordMetadata> metadata = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                metadata.add(new RecordMetadata(partition, 100 + i, 0, clock.millis(), 3, 10));
            }
            return Uni.createFrom().item(metadata);
        }
    }
}
