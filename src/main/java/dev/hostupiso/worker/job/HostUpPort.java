package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.ApiResponse;
import io.smallrye.mutiny.Uni;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * HostUp as the job sees it: one method per call it makes, each one logical call with the key of
 * the job's account. Behind it (the HostUp adapter) are the HTTP client, the account's rate limiter
 * and key state, and the retries: a transient answer (429, 5xx, 408, a timeout) is tried again until
 * the job's deadline and then fails the job with a {@link JobFailure} carrying the last error. Every
 * other answer, success or not, comes back for the core to read. A call is counted in the job's
 * {@code apiCalls} as it is sent. Every call fails with {@link JobCancelledException} once the job is
 * handed over.
 * <p>
 * The two calls that may act at HostUp (from-url, mount) are not repeated after an answer that leaves
 * open whether HostUp acted (a 5xx, a timeout after sending): they fail with
 * {@link AmbiguousSubmitException} instead. Their {@code eachTry} runs around every try that goes on
 * the wire, so that the core can record the call first and read a refusal after it.
 */
public interface HostUpPort {

    /**
     * The account whose key the job spends, found from the topic its request was read from; fails
     * with a {@link JobFailure} when the request may not use it ({@code account_not_allowed}) or no
     * key is held for it ({@code unknown_account}; a resumed job waits for the key instead).
     */
    Uni<JobAccount> account(JobContext ctx);

    /**
     * {@code POST /api/v2/vps/{id}/iso/actions/from-url}. {@code eachTry} is given the raw call (taking
     * the URL to submit) and makes one try with it.
     */
    Uni<ApiResponse> fromUrl(JobContext ctx, Function<Function<String, Uni<ApiResponse>>, Uni<ApiResponse>> eachTry);

    /** {@code GET {pollUrl}}: a HostUp job's status. */
    Uni<ApiResponse> job(JobContext ctx, String pollUrl);

    /** {@code GET /api/v2/vps/{id}/iso}: the VPS's ISO library and mounts. */
    Uni<ApiResponse> isoLibrary(JobContext ctx);

    /**
     * {@code POST /api/v2/vps/{id}/iso/actions/mount}; a null {@code device} lets HostUp choose.
     * {@code eachTry} is given the raw call and makes one try with it.
     */
    Uni<ApiResponse> mount(JobContext ctx, String isoId, String device,
                           Function<Supplier<Uni<ApiResponse>>, Uni<ApiResponse>> eachTry);
}
