package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The worker's events as Kafka records in CloudEvents binary mode: the JSON data as the value, the
 * attributes as {@code ce_*} headers, the subject (the requestId) as the key.
 */
final class CloudEvents {

    private CloudEvents() {
    }

    /** {@code dataSchema} is the {@code $id} of the JSON Schema {@code data} follows: every event names its schema. */
    static ProducerRecord<String, String> record(ObjectMapper mapper, String topic, Object data, String id, String type,
                                                 String source, String subject, Instant time, String dataSchema) {
        String json;
        try {
            json = mapper.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(type + " event not serializable", e);
        }
        RecordHeaders headers = new RecordHeaders();
        header(headers, "ce_specversion", "1.0");
        header(headers, "ce_id", id);
        header(headers, "ce_type", type);
        header(headers, "ce_source", source);
        header(headers, "ce_subject", subject);
        header(headers, "ce_time", time.toString());
        header(headers, "ce_dataschema", dataSchema);
        header(headers, "content-type", "application/json");
        return new ProducerRecord<>(topic, null, subject, json, headers);
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
