package dev.hostupiso.worker.dispatch;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.JobCancelledException;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobRunner;
import dev.hostupiso.worker.ledger.FinishedEntry;
import dev.hostupiso.worker.ledger.JournalAndOutcomePublisher;
import dev.hostupiso.worker.ledger.LedgerEntry;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.wire.FieldError;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.OutcomeEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Decides what a delivered request needs and runs it, with the ledger as the source of truth:
 * <ul>
 * <li>running here → join it;</li>
 * <li>finished (in the ledger) → a redelivery of the same record is only acknowledged, another
 * record with that requestId gets the recorded outcome again (same {@code ce_id});</li>
 * <li>recorded but not running → resume it;</li>
 * <li>new → record {@code RECEIVED}, acknowledge the record (its offset may now be committed), run
 * the job, then publish the outcome and the terminal ledger record in one transaction.</li>
 * </ul>
 */
@ApplicationScoped
public class JobDispatcher {

    private static final Logger LOG = Logger.getLogger(JobDispatcher.class);

    private final InFlightRequests inFlight;
    private final JournalAndOutcomePublisher ledger;
    private final JobRunner runner;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Duration jobTimeout;
    private final Duration handOverGrace;
    private final PartitionReclaim reclaim;

    public JobDispatcher(InFlightRequests inFlight, JournalAndOutcomePublisher ledger, JobRunner runner, WorkerMetrics metrics,
                         Clock clock, WorkerConfig config, PartitionReclaim reclaim) {
        this.inFlight = inFlight;
        this.ledger = ledger;
        this.runner = runner;
        this.metrics = metrics;
        this.clock = clock;
        this.jobTimeout = config.jobTimeout();
        this.handOverGrace = config.handOverGrace();
        this.reclaim = reclaim;
        ledger.onPartitionLost(this::lost);
    }

    /** Handles one request record (parsed, answerable) from request topic-{@code partition} at {@code offset}. */
    public void dispatch(IsoRequest request, List<FieldError> invalid, Message<?> record, TopicPartition partition, long offset) {
        String requestId = request.requestId();
        var joined = inFlight.running(partition.topic(), requestId);
        if (joined.isPresent()) {
            LOG.infof("requestId=%s duplicate delivery while in flight: joined, no API call", requestId);
            joined.get().subscribe().with(e -> {
                metrics.requestFinished("duplicate", codeOf(e));
                record.ack();
            }, f -> { /* handed over: the record stays unacknowledged for the next owner */ });
            return;
        }
        Optional<FinishedEntry> finished = ledger.finished(partition, requestId);
        if (finished.isPresent()) {
            if (finished.get().sourceOffset() == offset) {
                LOG.infof("requestId=%s redelivered after its outcome was published: acknowledged", requestId);
                record.ack();
            } else {
                LOG.infof("requestId=%s duplicate of a finished request: answered from the ledger, no API call", requestId);
                ledger.republish(partition, requestId, finished.get()).subscribe().with(event -> {
                    metrics.requestFinished("duplicate", codeOf(event));
                    record.ack();
                }, f -> LOG.warnf("requestId=%s not answered here: %s", requestId, f.getMessage()));
            }
            return;
        }
        long epoch = ledger.epochOf(partition);
        LedgerEntry entry = ledger.open(partition, requestId);
        if (entry != null) {
            resume(partition, List.of(entry));
            record.ack();
            return;
        }
        if (epoch < 0) {
            if (reclaim.defer(partition)) {
                LOG.infof("requestId=%s arrived for %s, whose ledger writer ended here: left for redelivery "
                        + "after the partition is reloaded or moves", requestId, partition);
            } else {
                LOG.debugf("requestId=%s arrived for %s, which is not owned here any more", requestId, partition);
            }
            return;
        }
        Instant now = clock.instant();
        JobContext ctx = new JobContext(request, now, now.plus(jobTimeout), partition.partition(), epoch)
                .fromTopic(partition.topic());
        inFlight.start(ctx, () -> invalid.isEmpty() ? runNew(ctx, record, offset) : refuse(ctx, invalid, record, offset));
    }

    /** Resumes jobs recorded in the ledger of request {@code partition} (after it was assigned to this instance). */
    public void resume(TopicPartition partition, Collection<LedgerEntry> entries) {
        int n = 0;
        for (LedgerEntry e : entries) {
            long epoch = ledger.epochOf(partition);
            if (epoch >= 0 && inFlight.running(partition.topic(), e.requestId()).isEmpty()) {
                JobContext ctx = e.toContext(epoch).fromTopic(partition.topic());
                inFlight.start(ctx, () -> runJob(ctx, e.sourceOffset()));
                n++;
            }
        }
        if (n > 0) {
            metrics.jobsResumed(n);
            LOG.infof("resumed %d job(s) from the ledger", n);
        }
    }

    /**
     * Hands the jobs of {@code partitions} over to their next owner: from-url calls already sent
     * get up to the hand-over grace to be answered and recorded, then every job stops at once and
     * nothing more is committed under this assignment.
     */
    public void handOver(Collection<TopicPartition> partitions) {
        inFlight.drainSubmissions(partitions, handOverGrace);
        inFlight.cancel(partitions);
        ledger.release(partitions);
    }

    /** Shutdown: like {@link #handOver} for every partition this instance owns. */
    public void handOverAll() {
        inFlight.drainAllSubmissions(handOverGrace);
        inFlight.cancelAll();
    }

    /**
     * The writer of {@code partition} ended (another instance took it over, or a commit's result is
     * unknown): its jobs stop here, and the group is asked whether the partition is still this
     * instance's.
     */
    private void lost(TopicPartition partition) {
        LOG.warnf("partition %s: its ledger writer ended; its jobs stop here", partition);
        inFlight.cancel(List.of(partition));
        reclaim.orphaned(partition);
    }

    private Uni<OutcomeEvent> runNew(JobContext ctx, Message<?> record, long offset) {
        return ledger.received(ctx, offset)
                .invoke(() -> record.ack())
                .onItem().transformToUni(x -> runJob(ctx, offset));
    }

    private Uni<OutcomeEvent> runJob(JobContext ctx, long offset) {
        return runner.run(ctx)
                .invoke(result -> metrics.jobFinished(result.completed() ? OutcomeEvent.COMPLETED : OutcomeEvent.FAILED,
                        Duration.between(ctx.receivedAt(), clock.instant()), result.polls()))
                .invoke(result -> metrics.jobApiCalls(accountLabel(ctx), result.apiCalls().fromUrl(),
                        result.apiCalls().job(), result.apiCalls().isoList(), result.apiCalls().mount()))
                .map(result -> OutcomeEvent.of(ctx.request(), result, ctx.receivedAt(), clock.instant()).fromTopic(ctx.topic()))
                .onItem().transformToUni(event -> publish(ctx, event, offset))
                .onFailure(f -> !(f instanceof JobCancelledException))
                .invoke(f -> LOG.errorf(f, "requestId=%s could not be finished; it stays in the ledger", ctx.request().requestId()));
    }

    private Uni<OutcomeEvent> refuse(JobContext ctx, List<FieldError> errors, Message<?> record,
                                     long offset) {
        JobError error = new JobError("invalid_request", "Validation failed", "The request breaks the event contract",
                null, false, errors, null);
        LOG.infof("requestId=%s rejected locally: %s", ctx.request().requestId(), errors);
        OutcomeEvent event = OutcomeEvent.failed(ctx.request(), null, 0, error, ctx.receivedAt(), clock.instant())
                .fromTopic(ctx.topic());
        return publish(ctx, event, offset).invoke(() -> record.ack());
    }

    private Uni<OutcomeEvent> publish(JobContext ctx, OutcomeEvent event, long offset) {
        return ledger.finish(ctx, event, offset)
                .invoke(published -> metrics.requestFinished(published.status(), codeOf(published)));
    }

    /** The account a finished job's calls are counted for; one the worker holds no key for is {@code other}. */
    /** The account whose key paid: the one the job ran with (its topic's), {@code other} when it had none. */
    private static String accountLabel(JobContext ctx) {
        return ctx.account() != null ? WorkerMetrics.accountLabel(ctx.account().name(), true) : "other";
    }

    private static String codeOf(OutcomeEvent e) {
        return e.isCompleted() ? null : e.error().code();
    }
}
