package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.TeamTopics;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.wire.OutcomeEvent;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Turns outcome events into Kafka records: CloudEvents in binary mode, the JSON event as value and
 * the attributes as {@code ce_*} headers. {@code ce_id} is a name-based UUID of (requestId, status),
 * so a re-sent outcome carries the same id and consumers can deduplicate on it. {@code ce_dataschema}
 * names the JSON Schema the value follows, so a consumer (or a schema-aware router) can pick the
 * validator without knowing the topic. The records are written by the ledger, in the same
 * transaction as the request's terminal ledger record.
 */
@ApplicationScoped
public class OutcomeRecords {

    public static final String TYPE_PREFIX = OutcomeEvent.TYPE_PREFIX;
    /**
     * {@code ce_dataschema}: the {@code $id} of {@code schemas/iso-download-outcome.schema.json}. A
     * constant, not a setting: it names the schema this code writes, wherever the worker runs.
     */
    public static final String DATA_SCHEMA =
            "https://github.com/hostup-iso-worker/hostup-iso-worker/schemas/iso-download-outcome.schema.json";

    private final ObjectMapper mapper;
    private final TeamTopics topics;
    private final String source;

    public OutcomeRecords(ObjectMapper mapper, WorkerConfig config, TeamTopics topics) {
        this.mapper = mapper;
        this.topics = topics;
        this.source = config.eventsSource();
    }

    /** Where the outcomes of requests read from {@code requestTopic} go: the team's own topic, or the shared one. */
    public String topicFor(String requestTopic) {
        return topics.eventsTopic(requestTopic);
    }

    /** {@code event} as a record on the shared outcome topic. */
    public ProducerRecord<String, String> record(OutcomeEvent event) {
        return record(event, topics.eventsTopic(null));
    }

    /** {@code event} as a record on {@code topic}. */
    public ProducerRecord<String, String> record(OutcomeEvent event, String topic) {
        return toRecord(event, mapper, topic, source);
    }

    static ProducerRecord<String, String> toRecord(OutcomeEvent event, ObjectMapper mapper, String topic, String source) {
        return CloudEvents.record(mapper, topic, event, eventId(event), TYPE_PREFIX + event.status(), source, event.requestId(),
                event.finishedAt(), DATA_SCHEMA);
    }

    /** Deterministic per request and outcome. */
    static String eventId(OutcomeEvent event) {
        return UUID.nameUUIDFromBytes((event.requestId() + "\n" + event.status()).getBytes(StandardCharsets.UTF_8)).toString();
    }

}
