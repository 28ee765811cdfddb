package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.hostupiso.worker.hostup.HostileText;
import dev.hostupiso.worker.hostup.JobStatusJson;
import dev.hostupiso.worker.hostup.ProblemJson;
import dev.hostupiso.worker.intake.RequestParser;
import dev.hostupiso.worker.job.JobState;
import dev.hostupiso.worker.testsupport.Coverage;
import dev.hostupiso.worker.wire.ApiCalls;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.FieldError;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.JobStatus;
import dev.hostupiso.worker.wire.Mounted;
import dev.hostupiso.worker.wire.OutcomeEvent;
import dev.hostupiso.worker.wire.PreflightReport;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Optional;

import static dev.hostupiso.worker.testsupport.Theories.qt;
import static dev.hostupiso.worker.testsupport.Theories.shown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;

/**
 * The size of what the worker writes to Kafka: an outcome event, and a ledger record holding a
 * request with its outcome, serialized as the worker does (Jackson to a String, then UTF-8). The
 * worst case is computed from {@link Bounds}; hostile HostUp answers and requests must stay within it.
 */
class LedgerRecordSizePropertyTest {

    /** Kafka's default {@code max.request.size}. */
    private static final int KAFKA_MAX_REQUEST_SIZE = 1_048_576;
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    /** The char whose JSON form is longest: a control character is written as six bytes. */
    private static final char WORST = '\u0001';

    @Test
    void theWorstCaseIsWithinTheDocumentedBoundsAndFarBelowKafkasLimit() throws Exception {
        LedgerEntry worst = worstEntry();
        int outcome = bytes(worst.outcome());
        int entry = bytes(worst);
        System.out.printf("worst case: outcome event %,d bytes, ledger record %,d bytes%n", outcome, entry);
        assertThat(outcome).isLessThanOrEqualTo(Bounds.MAX_OUTCOME_EVENT_BYTES);
        assertThat(entry).isLessThanOrEqualTo(Bounds.MAX_LEDGER_ENTRY_BYTES);
        assertThat(Bounds.MAX_LEDGER_ENTRY_BYTES).isLessThan(KAFKA_MAX_REQUEST_SIZE / 8);
        // The documented figures are tight: a bound far above the real worst case would hide growth.
        assertThat(entry).isGreaterThan(Bounds.MAX_LEDGER_ENTRY_BYTES * 9 / 10);
    }

    @Test
    void hostileAnswersAndRequestsStayWithinTheBounds() {
        Coverage coverage = new Coverage("hostileAnswersAndRequestsStayWithinTheBounds");
        qt(3_000).forAll(problemBodies(), jobBodies(), requests(), headerIds())
                .checkAssert((problemBody, jobBody, request, headerRequestId) -> {
                    coverage.count();
                    String parsedAs = staysWithinTheBounds(problemBody, jobBody, request, headerRequestId);
                    coverage.collect("request", parsedAs);
                });
        coverage.print();
    }

    /** Checks the outcome event and ledger record made from these answers; answers how the request parsed. */
    private static String staysWithinTheBounds(String problemBody, String jobBody, String request, Optional<String> headerRequestId) {
        ApiResponse answer = new ApiResponse(Endpoint.JOB, 400, problemBody, Optional.empty(), Optional.empty(), Optional.empty(),
                headerRequestId, Optional.of(HostileText.NASTY.repeat(20)));
        JobError fromProblem = JobError.fromProblem(ProblemJson.from(answer, new ObjectMapper()), false);
        Optional<JobStatus> job = JobStatusJson.parse(jobBody, new ObjectMapper());
        JobError jobFailed = JobError.jobFailed(job.flatMap(JobStatus::failureDetail).orElse("none"), headerRequestId.orElse(null));
        RequestParser.Parsed parsed = new RequestParser(new ObjectMapper()).parse(request);
        IsoRequest req = parsed instanceof RequestParser.Invalid i ? i.request()
                : parsed instanceof RequestParser.Valid v ? v.request() : new IsoRequest("r", null, null, null, null);
        String jobId = job.flatMap(JobStatus::jobId).orElse(null);
        String pollUrl = job.flatMap(JobStatus::pollUrl).orElse(null);

        Instant t = Instant.parse("2026-11-27T10:00:00Z");
        for (JobError error : new JobError[] {fromProblem, jobFailed}) {
            OutcomeEvent event = OutcomeEvent.failed(req, jobId, 3, error, t, t);
            LedgerEntry entry = new LedgerEntry(LedgerEntry.VERSION, req.requestId(), JobState.FAILED, req, t, t, jobId, pollUrl, 3, 1, 9, false, 0, 0L,
                    t, event, null, null, event.apiCalls(), null, null);
            assertThat(bytes(event)).isLessThanOrEqualTo(Bounds.MAX_OUTCOME_EVENT_BYTES);
            assertThat(bytes(entry)).isLessThanOrEqualTo(Bounds.MAX_LEDGER_ENTRY_BYTES);
        }
        return parsed.getClass().getSimpleName();
    }

    private static int bytes(Object value) {
        try {
            return MAPPER.writeValueAsString(value).getBytes(StandardCharsets.UTF_8).length;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String worst(int max) {
        return String.valueOf(WORST).repeat(max);
    }

    /** Every field at its bound, in the char that serializes longest; numbers and instants at their longest. */
    static LedgerEntry worstEntry() {
        Instant longest = Instant.MIN.plusNanos(1);
        IsoRequest request = new IsoRequest(worst(Bounds.REQUEST_ID), worst(Bounds.VPS_ID), worst(Bounds.URL),
                worst(Bounds.FILENAME), worst(Bounds.DECOMPRESS), worst(Bounds.ACCOUNT),
                new IsoRequest.MountRequest(worst(Bounds.MOUNT_DEVICE)));
        FieldError fieldError = new FieldError(worst(Bounds.ERROR_POINTER), worst(Bounds.ERROR_DETAIL), worst(Bounds.ERROR_CODE));
        JobError error = new JobError(worst(Bounds.CODE), worst(Bounds.TITLE), worst(Bounds.DETAIL), Integer.MIN_VALUE, false,
                Collections.nCopies(Bounds.ERRORS, fieldError), worst(Bounds.UPSTREAM_REQUEST_ID));
        OutcomeEvent outcome = new OutcomeEvent(request.requestId(), request.vpsId(), request.filename(), request.account(), OutcomeEvent.COMPLETED,
                worst(Bounds.ISO_ID), worst(Bounds.JOB_ID), Boolean.FALSE, Integer.MIN_VALUE,
                new ApiCalls(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE), worst(Bounds.RESOLVED_URL),
                new PreflightReport(worst(16), worst(Bounds.PREFLIGHT_REASON), Integer.MIN_VALUE), new Mounted(worst(Bounds.MOUNT_DEVICE)),
                longest, longest, error);
        return new LedgerEntry(Integer.MIN_VALUE, request.requestId(), JobState.SUBMITTED, request, longest, longest,
                worst(Bounds.JOB_ID), worst(Bounds.POLL_URL), Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE, false,
                Integer.MIN_VALUE,
                Long.MIN_VALUE, longest, outcome, "~".repeat(Bounds.URL), // the longest resolved URL LedgerEntry keeps
                new PreflightReport(worst(16), worst(Bounds.PREFLIGHT_REASON), Integer.MIN_VALUE),
                new ApiCalls(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE),
                Long.MIN_VALUE, "~".repeat(Bounds.POLL_URL)); // the longest mount poll URL LedgerEntry keeps
    }

    // ---- generators: huge and hostile ----

    private static Gen<String> problemBodies() {
        Gen<String> text = HostileText.anyLength().map(s -> HostileText.json(s));
        Gen<String> shortText = HostileText.shortText().map(s -> HostileText.json(s));
        Gen<String> errors = text.zip(shortText, integers().between(0, 10_000),
                (big, small, n) -> "[{\"pointer\":" + big + ",\"detail\":" + big + ",\"code\":" + big + "},"
                        + ("{\"pointer\":" + small + ",\"detail\":" + small + ",\"code\":" + small + "},").repeat(n) + "{}]");
        return shown(text.zip(text, text, errors, text,
                (code, title, detail, errs, rid) -> "{\"code\":" + code + ",\"title\":" + title + ",\"detail\":" + detail
                        + ",\"errors\":" + errs + ",\"requestId\":" + rid + "}"));
    }

    private static Gen<String> jobBodies() {
        Gen<String> text = HostileText.anyLength().map(s -> HostileText.json(s));
        return shown(text.zip(text, text, Generate.pick(Arrays.asList("data", "operation")),
                (result, jobId, pollUrl, envelope) -> "{\"" + envelope + "\":{\"status\":\"failed\",\"result\":{\"message\":"
                        + result + ",\"error\":" + result + "},\"jobId\":" + jobId + ",\"pollUrl\":" + pollUrl + "}}"));
    }

    private static Gen<String> requests() {
        Gen<String> text = HostileText.anyLength().map(s -> HostileText.json(s));
        return shown(text.zip(text, text, text,
                (vps, url, file, dec) -> "{\"requestId\":\"r-1\",\"vpsId\":" + vps + ",\"url\":" + url + ",\"filename\":" + file
                        + ",\"decompress\":" + dec + "}"));
    }

    private static Gen<Optional<String>> headerIds() {
        return shown(Generate.oneOf(Generate.constant(Optional.<String>empty()), HostileText.anyLength().map(Optional::of)));
    }
}
