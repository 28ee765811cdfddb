package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.JobError;
import io.smallrye.mutiny.Uni;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Keeps the ledger true about from-url calls, so that a restart never takes a known refusal for a guess.
 * SUBMITTING ("a download may be queued from here on") is made durable right before a call goes on the wire:
 * after the rate limiter's wait, a parking or a held key, not before them. An answer that proves HostUp did not
 * act (the HostUp port tells which: {@link HostUpPort.OnTheWire#refused}) records at once
 * that nothing was queued (RECEIVED again, with the call not counted as a submission; SUBMITTING stays only when
 * an earlier call of the request may have queued it), so a job resumed while it waits to try again is submitted
 * afresh, not watched as ambiguous.
 */
final class SubmitRecorder {

    private final JobJournal journal;

    SubmitRecorder(JobJournal journal) {
        this.journal = journal;
    }

    /**
     * The from-url tries of {@code ctx}: before each, the URL to submit is found ({@code url}), {@code veto} is
     * asked (present, the try is not made and the call fails with it) and SUBMITTING is recorded; after an answer
     * that proves nothing was queued, that is recorded.
     */
    HostUpPort.OnTheWire<String> onTheWire(JobContext ctx, Supplier<Optional<JobError>> veto, Supplier<Uni<String>> url) {
        return new HostUpPort.OnTheWire<>() {
            @Override
            public Uni<String> beforeTry() {
                return url.get().onItem().transformToUni(u -> submitting(ctx, veto).map(x -> {
                    ctx.ensureActive();
                    return u;
                }));
            }

            @Override
            public Uni<Void> refused() {
                ctx.submission(Submission::refused);
                // Still SUBMITTING when an earlier call of this request may have queued the download.
                return record(ctx, ctx.submissions() > 0 ? JobState.SUBMITTING : JobState.RECEIVED)
                        .invoke(ctx.handOver::endSubmit);
            }
        };
    }

    private Uni<Void> submitting(JobContext ctx, Supplier<Optional<JobError>> veto) {
        return Uni.createFrom().deferred(() -> {
            Optional<JobError> vetoed = veto.get();
            if (vetoed.isPresent()) {
                return Uni.createFrom().failure(new JobFailure(vetoed.get()));
            }
            ctx.handOver.beginSubmit();
            ctx.submission(Submission::onTheWire);
            return record(ctx, JobState.SUBMITTING);
        });
    }

    private Uni<Void> record(JobContext ctx, JobState state) {
        ctx.recording(state);
        return journal.record(ctx, state);
    }
}
