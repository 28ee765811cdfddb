package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.hostupiso.worker.wire.ApiCalls;
import dev.hostupiso.worker.wire.FieldError;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.OutcomeEvent;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

class OutcomeRecordsTest {

    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final IsoRequest req = new IsoRequest("r-42", "vps_1", "https://h/x.iso", "x.iso", "none");
    private final Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
    private final Instant t1 = Instant.parse("2026-11-27T10:05:00Z");

    private OutcomeEvent completed() {
        return new OutcomeEvent("r-42", "vps_1", "x.iso", null, "completed", "iso_7", "job_3", false, 1, new ApiCalls(1, 4, 1, 0), null, null, null,
                t0, t1, null);
    }

    private static Map<String, String> headers(ProducerRecord<String, String> m) {
        return StreamSupport.stream(m.headers().spliterator(), false)
                .collect(Collectors.toMap(Header::key, h -> new String(h.value(), StandardCharsets.UTF_8)));
    }

    @Test
    void binaryModeCloudEventHeadersAndKey() {
        ProducerRecord<String, String> m = OutcomeRecords.toRecord(completed(), mapper, "events", "/hostup-iso-worker");
        Map<String, String> h = headers(m);
        assertThat(h).containsEntry("ce_specversion", "1.0").containsEntry("ce_type", "dev.hostupiso.iso.download.completed")
                .containsEntry("ce_source", "/hostup-iso-worker").containsEntry("ce_subject", "r-42")
                .containsEntry("ce_time", "2026-11-27T10:05:00Z").containsEntry("content-type", "application/json")
                .containsEntry("ce_dataschema", OutcomeRecords.DATA_SCHEMA)
                .containsKey("ce_id");
        assertThat(h).as("exactly the contract's headers").containsOnlyKeys("ce_specversion", "ce_id", "ce_type", "ce_source",
                "ce_subject", "ce_time", "ce_dataschema", "content-type");
        assertThat(m.key()).isEqualTo("r-42");
        assertThat(m.topic()).isEqualTo("events");
    }

    @Test
    void dataSchemaHeaderNamesTheOutcomeSchemaById() throws Exception {
        JsonNode schema;
        try (java.io.InputStream in = getClass().getResourceAsStream("/schemas/iso-download-outcome.schema.json")) {
            schema = mapper.readTree(in);
        }
        assertThat(OutcomeRecords.DATA_SCHEMA).isEqualTo(schema.get("$id").asText());
        assertThat(java.net.URI.create(OutcomeRecords.DATA_SCHEMA).isAbsolute()).as("CloudEvents: dataschema is a URI").isTrue();
        OutcomeEvent failed = OutcomeEvent.failed(req, null, 0, JobError.of("invalid_request", "t", "d", false), t0, t1);
        assertThat(headers(OutcomeRecords.toRecord(failed, mapper, "events", "/s"))).containsEntry("ce_dataschema", OutcomeRecords.DATA_SCHEMA);
    }

    @Test
    void completedEventHasExactlyTheContractsFields() throws Exception {
        JsonNode json = mapper.readTree(OutcomeRecords.toRecord(completed(), mapper, "events", "/s").value());
        List<String> fields = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("requestId", "vpsId", "filename", "status", "isoId", "jobId", "alreadyExisted",
                "attempts", "apiCalls", "receivedAt", "submittedAt", "finishedAt");
    }

    @Test
    void eventIdIsDeterministicPerRequestAndOutcome() {
        OutcomeEvent failed = OutcomeEvent.failed(req, null, 1, JobError.of("job_failed", "t", "d", false), t0, t1);
        String id1 = headers(OutcomeRecords.toRecord(completed(), mapper, "events", "/s")).get("ce_id");
        String id2 = headers(OutcomeRecords.toRecord(completed(), mapper, "events", "/other")).get("ce_id");
        String id3 = headers(OutcomeRecords.toRecord(failed, mapper, "events", "/s")).get("ce_id");
        assertThat(id1).isEqualTo(id2).isNotEqualTo(id3);
    }

    @Test
    void failedEventShapeMatchesTheContract() throws Exception {
        JobError error = new JobError("invalid_request", "Validation failed", "bad", 400, false,
                List.of(new FieldError("/url", "must not redirect", "invalid_value")), "req_1");
        JsonNode json = mapper.readTree(OutcomeRecords.toRecord(OutcomeEvent.failed(req, null, 1, error, t0, t1), mapper, "events", "/s").value());
        assertThat(json.get("status").asText()).isEqualTo("failed");
        assertThat(json.has("jobId")).isTrue();
        assertThat(json.get("jobId").isNull()).isTrue();
        assertThat(json.has("isoId")).isFalse();
        assertThat(json.get("error").get("httpStatus").asInt()).isEqualTo(400);
        assertThat(json.get("error").get("retryable").asBoolean()).isFalse();
        assertThat(json.get("error").get("errors").get(0).get("pointer").asText()).isEqualTo("/url");
        assertThat(json.get("error").get("upstreamRequestId").asText()).isEqualTo("req_1");
        assertThat(json.get("submittedAt").asText()).isEqualTo("2026-11-27T10:00:00Z");
    }

    @Test
    void receivedAtIsAlsoWrittenUnderItsOldNameAndEitherNameReadsBack() throws Exception {
        JsonNode json = mapper.readTree(OutcomeRecords.toRecord(completed(), mapper, "events", "/s").value());
        assertThat(json.get("receivedAt").asText()).isEqualTo("2026-11-27T10:00:00Z");
        assertThat(json.get("submittedAt").asText()).isEqualTo("2026-11-27T10:00:00Z");
        assertThat(json.get("attempts").asInt()).isEqualTo(1);
        assertThat(json.get("apiCalls").get("total").asInt()).isEqualTo(6);
        assertThat(json.has("fromUrlCalls")).isFalse();

        assertThat(mapper.readValue(json.toString(), OutcomeEvent.class)).isEqualTo(completed());
        // A ledger record written before receivedAt existed carries only submittedAt.
        ((com.fasterxml.jackson.databind.node.ObjectNode) json).remove("receivedAt");
        assertThat(mapper.readValue(json.toString(), OutcomeEvent.class).receivedAt()).isEqualTo(t0);
    }
}
