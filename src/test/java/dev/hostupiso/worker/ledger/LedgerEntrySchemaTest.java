package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobState;
import dev.hostupiso.worker.testsupport.ContractValidator;
import dev.hostupiso.worker.wire.ApiCalls;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.OutcomeEvent;
import dev.hostupiso.worker.wire.PreflightReport;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of record the ledger writes, serialized as the worker writes it, is what
 * {@code schemas/iso-download-ledger-entry.schema.json} (the ledger channel of asyncapi.yaml) says,
 * and the schema is strict enough to notice a field it does not know.
 */
class LedgerEntrySchemaTest {

    private static final String LEDGER = "iso-download-jobs";

    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final ContractValidator contract = ContractValidator.get();
    private final IsoRequest request = new IsoRequest("r-1", "vps_1", "https://h/x.iso", "x.iso", "gzip");
    private final Instant t0 = Instant.parse("2026-11-27T10:00:00Z");

    private List<String> violations(LedgerEntry entry) throws Exception {
        return contract.violations(LEDGER, entry.requestId(), new RecordHeaders(), mapper.writeValueAsString(entry));
    }

    @Test
    void everyStateTheLedgerWritesConforms() throws Exception {
        LedgerEntry received = LedgerEntry.received(new JobContext(request, t0, t0.plusSeconds(3600), 2, 1), 41, t0);
        JobContext submitted = JobContext.resumed(request, t0, t0.plusSeconds(3600), 2, 1, JobState.SUBMITTED, "job_9",
                "/api/jobs/job_9", 1, 1, 3, false);
        LedgerEntry polling = received.progressed(submitted, JobState.SUBMITTED, t0.plusSeconds(1));
        OutcomeEvent completed = new OutcomeEvent("r-1", "vps_1", "x.iso", null, "completed", "iso_1", "job_9", false, 1,
                new ApiCalls(1, 3, 1, 0), null, null, null, t0, t0.plusSeconds(60), null);
        OutcomeEvent failed = OutcomeEvent.failed(request, "job_9", 1, JobError.of("job_timeout", "t", "d", true), t0, t0);

        assertThat(violations(received)).isEmpty();
        assertThat(violations(received.progressed(submitted, JobState.SUBMITTING, t0))).isEmpty();
        assertThat(violations(polling)).isEmpty();
        // The preflight's finding, recorded with SUBMITTING so a resumed job is not probed again.
        submitted.withPreflight("https://cdn.example.net/x.iso?sig=1", new PreflightReport(PreflightReport.RESOLVED, null, 2));
        LedgerEntry probed = received.progressed(submitted, JobState.SUBMITTING, t0);
        assertThat(probed.preflight()).isNotNull();
        assertThat(violations(probed)).isEmpty();
        assertThat(violations(probed.finished(failed, t0.plusSeconds(60)))).isEmpty();
        assertThat(violations(polling.finished(completed, t0.plusSeconds(60)))).isEmpty();
        assertThat(violations(polling.finished(failed, t0.plusSeconds(60)))).isEmpty();
        // An outcome Kafka refused at full size: the request's fields dropped, a minimal outcome kept.
        assertThat(violations(polling.withoutRequest().finished(failed.withoutDetails("too large"), t0))).isEmpty();
        // An invalid request is stored as read: missing values are null.
        IsoRequest partial = new IsoRequest("r-2", null, "ftp://h/x.iso", null, "none");
        OutcomeEvent refused = OutcomeEvent.failed(partial, null, 0, JobError.of("invalid_request", "t", "d", false), t0, t0);
        assertThat(violations(LedgerEntry.received(new JobContext(partial, t0, t0.plusSeconds(10), 0, 1), 7, t0)
                .finished(refused, t0))).isEmpty();
    }

    @Test
    void aTombstoneConforms() {
        assertThat(contract.violations(LEDGER, "r-1", new RecordHeaders(), null)).isEmpty();
    }

    @Test
    void theSchemaNoticesWhatItDoesNotDescribe() throws Exception {
        LedgerEntry received = LedgerEntry.received(new JobContext(request, t0, t0.plusSeconds(3600), 2, 1), 41, t0);
        ObjectNode json = (ObjectNode) mapper.valueToTree(received);
        json.put("newField", 1);
        assertThat(contract.violations(LEDGER, "r-1", new RecordHeaders(), json.toString())).isNotEmpty();

        ObjectNode terminalWithoutOutcome = (ObjectNode) mapper.valueToTree(received);
        terminalWithoutOutcome.put("state", "COMPLETED");
        assertThat(contract.violations(LEDGER, "r-1", new RecordHeaders(), terminalWithoutOutcome.toString())).isNotEmpty();

        ObjectNode openWithOutcome = (ObjectNode) mapper.valueToTree(received);
        openWithOutcome.set("outcome", mapper.createObjectNode());
        assertThat(contract.violations(LEDGER, "r-1", new RecordHeaders(), openWithOutcome.toString())).isNotEmpty();
    }
}
