package dev.hostupiso.worker.messaging;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.IsoJobRunner;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobError;
import dev.hostupiso.worker.messaging.InFlightRequests.Admission;
import dev.hostupiso.worker.messaging.InFlightRequests.Started;
import dev.hostupiso.worker.messaging.RequestParser.Invalid;
import dev.hostupiso.worker.messaging.RequestParser.Parsed;
import dev.hostupiso.worker.messaging.RequestParser.Poison;
import dev.hostupiso.worker.messaging.RequestParser.Valid;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Takes download requests from Kafka. Records are handed over one at a time, but each request's
 * work runs asynchronously: this method only waits for the {@link IntakeGate}, starts the work and
 * returns. A record is acknowledged (so its offset may be committed) only once its outcome event
 * has been written to Kafka; the connector's throttled commit strategy commits the highest offset
 * below which everything is acknowledged.
 */
@ApplicationScoped
public class IsoRequestConsumer {

    private final RequestParser parser;
    private final IntakeGate gate;
    private final InFlightRequests inFlight;
    private final IsoJobRunner runner;
    private final OutcomePublisher publisher;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Duration jobTimeout;

    public IsoRequestConsumer(RequestParser parser, IntakeGate gate, InFlightRequests inFlight, IsoJobRunner runner,
                              OutcomePublisher publisher, WorkerMetrics metrics, Clock clock, WorkerConfig config) {
        this.parser = parser;
        this.gate = gate;
        this.inFlight = inFlight;
        this.runner = runner;
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
        this.jobTimeout = config.jobTimeout();
    }

    @Incoming("iso-requests")
    public Uni<Void> consume(Message<String> record) {
        Parsed parsed = parser.parse(record.getPayload());
        if (parsed instanceof Poison poison) {
            Log.warnf("dead-lettering a request record: %s", poison.reason());
            metrics.requestFinished("dead_lettered", "poison");
            return Uni.createFrom().completionStage(record.nack(new PoisonRecordException(poison.reason())));
        }
        return gate.awaitOpen().invoke(() -> dispatch(parsed, record));
    }

    private void dispatch(Parsed parsed, Message<String> record) {
        Instant receivedAt = clock.instant();
        String requestId = parsed instanceof Valid v ? v.request().requestId() : ((Invalid) parsed).request().requestId();
        Admission admission = inFlight.admit(requestId, () -> work(parsed, receivedAt));
        if (!(admission instanceof Started)) {
            Log.infof("requestId=%s duplicate delivery: answered from the first one, no API call", requestId);
        }
        Uni<OutcomeEvent> answered = admission instanceof InFlightRequests.Repeated repeated
                ? publisher.publish(repeated.event()).replaceWith(repeated.event())
                : admission.outcome();
        answered.subscribe().with(
                event -> {
                    if (!(admission instanceof Started)) {
                        metrics.requestFinished("duplicate", event.isCompleted() ? null : event.error().code());
                    }
                    record.ack();
                },
                failure -> {
                    // Only a bug gets here (the work never fails by design): park the record rather than lose it.
                    Log.errorf(failure, "requestId=%s could not be answered; dead-lettering it", requestId);
                    record.nack(failure);
                });
    }

    /** The whole answer to a first delivery: run (or refuse) the request, then publish the outcome. */
    private Uni<OutcomeEvent> work(Parsed parsed, Instant receivedAt) {
        Uni<OutcomeEvent> outcome;
        if (parsed instanceof Invalid invalid) {
            JobError error = new JobError("invalid_request", "Validation failed", "The request breaks the event contract",
                    null, false, invalid.errors(), null);
            Log.infof("requestId=%s rejected locally: %s", invalid.request().requestId(), invalid.errors());
            outcome = Uni.createFrom().item(OutcomeEvent.failed(invalid.request(), null, 0, error, receivedAt, clock.instant()));
        } else {
            JobContext ctx = new JobContext(((Valid) parsed).request(), receivedAt, receivedAt.plus(jobTimeout));
            outcome = runner.run(ctx)
                    .invoke(result -> metrics.jobFinished(result.completed() ? OutcomeEvent.COMPLETED : OutcomeEvent.FAILED,
                            Duration.between(receivedAt, clock.instant()), result.polls()))
                    .map(result -> OutcomeEvent.of(ctx.request(), result, receivedAt, clock.instant()));
        }
        return outcome.onItem().transformToUni(event -> publisher.publish(event).replaceWith(event))
                .invoke(event -> metrics.requestFinished(event.status(), event.isCompleted() ? null : event.error().code()));
    }
}
