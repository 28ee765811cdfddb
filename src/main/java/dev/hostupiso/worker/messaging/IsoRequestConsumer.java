package dev.hostupiso.worker.messaging;

import dev.hostupiso.worker.messaging.RequestParser.Invalid;
import dev.hostupiso.worker.messaging.RequestParser.Parsed;
import dev.hostupiso.worker.messaging.RequestParser.Poison;
import dev.hostupiso.worker.messaging.RequestParser.Valid;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.List;

/**
 * Takes download requests from Kafka. Records are handed over one at a time, but each request's
 * work runs asynchronously: this method waits only for the {@link IntakeGate}, hands the request to
 * the {@link JobDispatcher} and returns. A record is acknowledged (its offset may be committed) as
 * soon as its request is durably in the job ledger, not when its hour-long job ends.
 */
@ApplicationScoped
public class IsoRequestConsumer {

    private final RequestParser parser;
    private final IntakeGate gate;
    private final JobDispatcher dispatcher;
    private final WorkerMetrics metrics;

    public IsoRequestConsumer(RequestParser parser, IntakeGate gate, JobDispatcher dispatcher, WorkerMetrics metrics) {
        this.parser = parser;
        this.gate = gate;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
    }

    @Incoming("iso-requests")
    public Uni<Void> consume(Message<String> record) {
        Parsed parsed = parser.parse(record.getPayload());
        if (parsed instanceof Poison poison) {
            Log.warnf("dead-lettering a request record: %s", poison.reason());
            metrics.requestFinished("dead_lettered", "poison");
            return Uni.createFrom().completionStage(record.nack(new PoisonRecordException(poison.reason())));
        }
        IncomingKafkaRecordMetadata<?, ?> kafka = record.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        return gate.awaitOpen().invoke(() -> {
            if (parsed instanceof Valid v) {
                dispatcher.dispatch(v.request(), List.of(), record, kafka.getPartition(), kafka.getOffset());
            } else {
                Invalid i = (Invalid) parsed;
                dispatcher.dispatch(i.request(), i.errors(), record, kafka.getPartition(), kafka.getOffset());
            }
        });
    }
}
