package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.IsoLibrary;
import dev.hostupiso.worker.wire.JobStatus;
import dev.hostupiso.worker.wire.Problem;
import io.smallrye.mutiny.Uni;

import java.time.Duration;
import java.util.Optional;

/**
 * HostUp as the job sees it: one method per call it makes, each one logical call with the key of
 * the job's account, each answering a typed answer declared here. Behind it (the HostUp adapter) are
 * the HTTP client, the reading of HostUp's JSON and problem answers, the account's rate limiter and
 * key state, and the retries: a transient answer (429, 5xx, 408, a timeout) is tried again until the
 * job's deadline and then fails the job with a {@link JobFailure} carrying the last error. Every other
 * answer, success or not, comes back as one of the answers below. A call is counted in the job's
 * {@code apiCalls} as it is sent. Every call fails with {@link JobCancelledException} once the job is
 * handed over.
 * <p>
 * The two calls that may act at HostUp (from-url, mount) are not repeated after an answer that leaves
 * open whether HostUp acted (a 5xx, a timeout after sending): they fail with
 * {@link AmbiguousSubmitException} instead. Their {@link OnTheWire} runs around every try that goes on
 * the wire, so that the core can record the call first and a refusal after it.
 */
public interface HostUpPort {

    /**
     * The account whose key the job spends, found from the topic its request was read from; fails
     * with a {@link JobFailure} when the request may not use it ({@code account_not_allowed}) or no
     * key is held for it ({@code unknown_account}; a resumed job waits for the key instead).
     */
    Uni<JobAccount> account(JobContext ctx);

    /** {@code POST /api/v2/vps/{id}/iso/actions/from-url} with the URL {@code wire} gives before each try. */
    Uni<FromUrlAnswer> fromUrl(JobContext ctx, OnTheWire<String> wire);

    /** {@code GET {pollUrl}}: a HostUp job's status. */
    Uni<PollAnswer> job(JobContext ctx, String pollUrl);

    /** {@code GET /api/v2/vps/{id}/iso}: the VPS's ISO library and mounts. */
    Uni<LibraryAnswer> isoLibrary(JobContext ctx);

    /** {@code POST /api/v2/vps/{id}/iso/actions/mount}; a null {@code device} lets HostUp choose. */
    Uni<MountAnswer> mount(JobContext ctx, String isoId, String device, OnTheWire<Void> wire);

    /** What the core does around each try of a call that may act at HostUp. */
    interface OnTheWire<T> {

        /**
         * Right before a try goes on the wire (after any wait for the rate limiter or a held key); its item is
         * what the try sends (the URL, for from-url). A failure ends the call with it, and no try is made.
         */
        Uni<T> beforeTry();

        /** After a try whose answer (or a connection never made) proves that HostUp did not act on it. */
        Uni<Void> refused();
    }

    /** A final refusal: HostUp's problem answer (RFC 7807 or older), for any call. */
    record Refused(Problem problem) implements FromUrlAnswer, PollAnswer, LibraryAnswer, MountAnswer {
    }

    /** HostUp's answer to from-url. */
    sealed interface FromUrlAnswer permits AlreadyThere, Accepted, NoJob, Refused {
    }

    /** 200: the file is in the library already; the job's id when the answer names one. */
    record AlreadyThere(Optional<String> jobId) implements FromUrlAnswer {
    }

    /** Another 2xx with a job: queued, or already completed or failed, as {@code job} says. */
    record Accepted(int status, JobStatus job, Optional<String> upstreamRequestId) implements FromUrlAnswer {
    }

    /** Another 2xx without a job envelope: the download may have been queued. */
    record NoJob(int status, Optional<String> upstreamRequestId) implements FromUrlAnswer {
    }

    /** HostUp's answer to a job poll. */
    sealed interface PollAnswer permits JobSeen, JobNotFound, Refused {
    }

    /**
     * A 2xx: the job's status, empty when the answer is not a job envelope.
     *
     * @param retryAfter the wait the answer asks for before the next poll, if any
     */
    record JobSeen(Optional<JobStatus> job, Optional<Duration> retryAfter, Optional<String> upstreamRequestId)
            implements PollAnswer {
    }

    /** 404: HostUp does not know the job (yet). */
    record JobNotFound(Problem problem, Optional<Duration> retryAfter) implements PollAnswer {
    }

    /** HostUp's answer to an ISO library read. */
    sealed interface LibraryAnswer permits LibraryRead, Refused {
    }

    /** A 2xx: the library, empty when the answer is not a readable one. */
    record LibraryRead(Optional<IsoLibrary> library) implements LibraryAnswer {
    }

    /** HostUp's answer to a mount call. */
    sealed interface MountAnswer permits MountDone, MountQueued, MountJobFailed, Refused {
    }

    /** Mounted at once; the drive HostUp names in its answer, if any. */
    record MountDone(Optional<String> device) implements MountAnswer {
    }

    /** 202 with a mount job still to run, to be polled at {@code pollUrl}. */
    record MountQueued(String pollUrl) implements MountAnswer {
    }

    /** 202 with a mount job that failed already; {@code detail} is what the job said. */
    record MountJobFailed(Optional<String> detail, Optional<String> upstreamRequestId) implements MountAnswer {
    }
}
