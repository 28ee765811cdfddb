package dev.hostupiso.worker.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.WorkerConfig;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * Publishes outcome events as CloudEvents in Kafka binary mode: the JSON event is the value, the
 * attributes are {@code ce_*} headers. {@code ce_id} is a name-based UUID of (requestId, status), so
 * a re-sent outcome carries the same id and consumers can deduplicate on it.
 * <p>
 * A publish that fails (broker down past the producer's delivery timeout) is retried with backoff
 * for as long as it takes: the request's offset is not committed until its outcome is written.
 */
@ApplicationScoped
public class OutcomePublisher {

    public static final String TYPE_PREFIX = "dev.hostupiso.iso.download.";

    private final MutinyEmitter<String> emitter;
    private final ObjectMapper mapper;
    private final String source;

    public OutcomePublisher(@Channel("iso-events") @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) MutinyEmitter<String> emitter,
                            ObjectMapper mapper, WorkerConfig config) {
        // Unbounded is safe here: at most max-in-flight outcomes can be pending at once.
        this.emitter = emitter;
        this.mapper = mapper;
        this.source = config.eventsSource();
    }

    public Uni<Void> publish(OutcomeEvent event) {
        return Uni.createFrom().deferred(() -> emitter.sendMessage(toMessage(event, mapper, source)))
                .onFailure().invoke(f -> Log.errorf("requestId=%s could not publish outcome (%s); retrying",
                        event.requestId(), f.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(30)).indefinitely();
    }

    static Message<String> toMessage(OutcomeEvent event, ObjectMapper mapper, String source) {
        String json;
        try {
            json = mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("outcome event not serializable", e);
        }
        RecordHeaders headers = new RecordHeaders();
        header(headers, "ce_specversion", "1.0");
        header(headers, "ce_id", eventId(event));
        header(headers, "ce_type", TYPE_PREFIX + event.status());
        header(headers, "ce_source", source);
        header(headers, "ce_subject", event.requestId());
        header(headers, "ce_time", event.finishedAt().toString());
        header(headers, "content-type", "application/json");
        return Message.of(json).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.requestId()).withHeaders(headers).build());
    }

    /** Deterministic per request and outcome. */
    static String eventId(OutcomeEvent event) {
        return UUID.nameUUIDFromBytes((event.requestId() + "\n" + event.status()).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
