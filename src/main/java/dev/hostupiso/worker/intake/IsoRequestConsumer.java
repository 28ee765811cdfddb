package dev.hostupiso.worker.intake;

import dev.hostupiso.worker.dispatch.IntakeGate;
import dev.hostupiso.worker.dispatch.JobDispatcher;
import dev.hostupiso.worker.intake.RequestParser.Invalid;
import dev.hostupiso.worker.intake.RequestParser.Parsed;
import dev.hostupiso.worker.intake.RequestParser.Poison;
import dev.hostupiso.worker.intake.RequestParser.Valid;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Takes download requests from Kafka. Records are handed over one at a time, but each request's
 * work runs asynchronously: this method waits only for the {@link IntakeGate}, hands the request to
 * the {@link JobDispatcher} and returns. A record is acknowledged (its offset may be committed) as
 * soon as its request is durably in the job ledger, not when its hour-long job ends.
 * <p>
 * Values are read as bytes and decoded strictly: a value that is not UTF-8 cannot be answered. A
 * record that cannot be answered is written, byte for byte, to the dead-letter topic by the
 * {@link DeadLetterPublisher} and acknowledged once that copy is durable; until then later records
 * wait, so that a broker outage neither loses it nor lets the offset pass it.
 */
@ApplicationScoped
public class IsoRequestConsumer {

    private static final Logger LOG = Logger.getLogger(IsoRequestConsumer.class);

    private final RequestParser parser;
    private final IntakeGate gate;
    private final JobDispatcher dispatcher;
    private final DeadLetterPublisher deadLetters;
    private final WorkerMetrics metrics;

    public IsoRequestConsumer(RequestParser parser, IntakeGate gate, JobDispatcher dispatcher,
                              DeadLetterPublisher deadLetters, WorkerMetrics metrics) {
        this.parser = parser;
        this.gate = gate;
        this.dispatcher = dispatcher;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Incoming("iso-requests")
    public Uni<Void> consume(Message<byte[]> record) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<byte[], byte[]> kafka = record.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        Parsed parsed = parse(record.getPayload());
        if (parsed instanceof Poison poison) {
            return deadLetter(record, kafka, poison.reason());
        }
        TopicPartition source = new TopicPartition(kafka.getTopic(), kafka.getPartition());
        return gate.awaitOpen().invoke(() -> {
            if (parsed instanceof Valid v) {
                dispatcher.dispatch(v.request(), List.of(), record, source, kafka.getOffset());
            } else {
                Invalid i = (Invalid) parsed;
                dispatcher.dispatch(i.request(), i.errors(), record, source, kafka.getOffset());
            }
        }).onFailure().recoverWithUni(f -> {
            // A bug must not stop intake (the channel fails on an error): keep the record, go on.
            LOG.errorf(f, "request record %s-%d@%d could not be handled", kafka.getTopic(), kafka.getPartition(), kafka.getOffset());
            return deadLetter(record, kafka, "processing failed: " + f.getClass().getSimpleName());
        });
    }

    private Parsed parse(byte[] value) {
        if (value == null) {
            return parser.parse(null);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            return new Poison("value is not UTF-8");
        }
        return parser.parse(text);
    }

    private Uni<Void> deadLetter(Message<byte[]> record, IncomingKafkaRecordMetadata<byte[], byte[]> kafka, String reason) {
        LOG.warnf("dead-lettering a request record: %s", reason);
        DeadLetter letter = new DeadLetter(kafka.getTopic(), kafka.getPartition(), kafka.getOffset(), kafka.getKey(),
                record.getPayload(), DeadLetter.copyOf(kafka.getHeaders()), reason);
        return deadLetters.publish(letter)
                .invoke(() -> metrics.requestFinished("dead_lettered", "poison"))
                .chain(() -> Uni.createFrom().completionStage(record.ack()));
    }
}
