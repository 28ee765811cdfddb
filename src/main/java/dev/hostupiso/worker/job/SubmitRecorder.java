package dev.hostupiso.worker.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.Problem;
import dev.hostupiso.worker.wire.TransportException;
import io.smallrye.mutiny.Uni;

import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Keeps the ledger true about from-url calls, so that a restart never takes a known refusal for a guess.
 * SUBMITTING ("a download may be queued from here on") is made durable right before a call goes on the wire:
 * after the rate limiter's wait, a parking or a held key, not before them. An answer that proves HostUp did not
 * act (401, 403, 408, 429, {@code 409 vps_not_ready}, HostUp's own 503, a connection never made) records at once
 * that nothing was queued (RECEIVED again, with the call not counted as a submission; SUBMITTING stays only when
 * an earlier call of the request may have queued it), so a job resumed while it waits to try again is submitted
 * afresh, not watched as ambiguous.
 */
final class SubmitRecorder {

    /** Answers that prove HostUp did not act on a from-url call (beyond 409 and 503, which depend on the body). */
    private static final Set<Integer> REFUSALS = Set.of(401, 403, 408, 429);

    private final JobJournal journal;
    private final ObjectMapper mapper;

    SubmitRecorder(JobJournal journal, ObjectMapper mapper) {
        this.journal = journal;
        this.mapper = mapper;
    }

    /**
     * {@code call} (one from-url try), with SUBMITTING recorded just before it and a refusal recorded after it.
     * {@code veto} is asked first, right before the call would go out: present, the call is not made and fails with it.
     */
    Uni<ApiResponse> onTheWire(JobContext ctx, Supplier<Optional<JobError>> veto, Supplier<Uni<ApiResponse>> call) {
        return Uni.createFrom().deferred(() -> {
                    Optional<JobError> vetoed = veto.get();
                    if (vetoed.isPresent()) {
                        return Uni.createFrom().failure(new JobFailure(vetoed.get()));
                    }
                    ctx.handOver.beginSubmit();
                    ctx.submission(Submission::onTheWire);
                    return record(ctx, JobState.SUBMITTING);
                })
                .onItem().transformToUni(x -> {
                    ctx.ensureActive();
                    return call.get();
                })
                .onItemOrFailure().transformToUni((response, failure) -> {
                    if (!provesNothingQueued(response, failure)) {
                        return failure != null ? Uni.createFrom().failure(failure) : Uni.createFrom().item(response);
                    }
                    ctx.submission(Submission::refused);
                    // Still SUBMITTING when an earlier call of this request may have queued the download.
                    return record(ctx, ctx.submissions() > 0 ? JobState.SUBMITTING : JobState.RECEIVED).invoke(ctx.handOver::endSubmit).onItem().transformToUni(x -> failure != null
                            ? Uni.createFrom().<ApiResponse>failure(failure) : Uni.createFrom().item(response));
                });
    }

    /** Whether HostUp's answer (or the call's failure) shows that no download was queued. */
    boolean provesNothingQueued(ApiResponse response, Throwable failure) {
        if (failure != null) {
            return failure instanceof TransportException te && !te.mayHaveBeenSent();
        }
        int s = response.status();
        if (REFUSALS.contains(s)) {
            return true;
        }
        return (s == 409 || s == 503) && !response.mayHaveActed(Problem.from(response, mapper));
    }

    private Uni<Void> record(JobContext ctx, JobState state) {
        ctx.recording(state);
        return journal.record(ctx, state);
    }
}
