package dev.hostupiso.worker.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;

/**
 * A download progress event, published on the progress topic keyed by {@code requestId}. Schema:
 * {@code src/main/resources/schemas/iso-download-progress.schema.json}. Informational and best
 * effort: consumers must not rely on receiving any (the outcome event is the contract).
 *
 * @param percentage 0–100
 * @param bytesDone  bytes downloaded, when HostUp reports them
 * @param bytesTotal the download's size, when HostUp reports it
 * @param eta        when the download should end, estimated from its progress so far
 * @param observedAt when the worker saw this progress
 */
@JsonPropertyOrder({"requestId", "vpsId", "jobId", "percentage", "bytesDone", "bytesTotal", "eta", "observedAt"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProgressEvent(String requestId, String vpsId, @JsonInclude(JsonInclude.Include.ALWAYS) String jobId, double percentage, Long bytesDone,
                            Long bytesTotal, Instant eta, Instant observedAt) {

    public static final String TYPE = OutcomeEvent.TYPE_PREFIX + "progress";
    /** {@code ce_dataschema}: the {@code $id} of {@code schemas/iso-download-progress.schema.json}. */
    public static final String DATA_SCHEMA =
            "https://github.com/hostup-iso-worker/hostup-iso-worker/schemas/iso-download-progress.schema.json";

    public static ProgressEvent of(IsoRequest request, String jobId, DownloadProgress progress) {
        return new ProgressEvent(request.requestId(), request.vpsId(), jobId,
                Math.round(progress.percentage() * 100) / 100.0, // two decimals are plenty
                progress.bytesDone().isPresent() ? progress.bytesDone().getAsLong() : null,
                progress.bytesTotal().isPresent() ? progress.bytesTotal().getAsLong() : null,
                progress.eta().orElse(null), progress.observedAt());
    }
}
