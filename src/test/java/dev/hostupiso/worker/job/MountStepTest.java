package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobResult;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static dev.hostupiso.worker.job.JobFixture.run;
import static dev.hostupiso.worker.job.ScriptedHostUp.json;
import static dev.hostupiso.worker.job.ScriptedHostUp.libraryMounted;
import static dev.hostupiso.worker.job.ScriptedHostUp.problem;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link MountStep}: one mount per request, also across a crash or hand-over in MOUNTING. */
class MountStepTest {

    private static final String MOUNT_QUEUED = "{\"operation\":{\"status\":\"pending\",\"jobId\":\"mnt_1\",\"pollUrl\":\"/api/jobs/mnt_1\"}}";

    private final JobFixture f = new JobFixture();

    private static IsoRequest mountRequest() {
        return new IsoRequest("r-1", "vps_a", "https://example.org/x.iso", "x.iso", "none", null,
                new IsoRequest.MountRequest("ide2"));
    }

    private JobContext fresh() {
        Instant now = f.clock.instant();
        JobContext ctx = new JobContext(mountRequest(), now, now.plus(Duration.ofHours(1)), 0, 1);
        ctx.withAccount(f.account);
        return ctx;
    }

    /** A job a previous owner left in MOUNTING, with the mount job it recorded (null: none). */
    private JobContext resumedInMounting(String mountPollUrl) {
        Instant now = f.clock.instant();
        JobContext ctx = JobContext.resumed(mountRequest(), now, now.plus(Duration.ofHours(1)), 0, 2, JobState.MOUNTING,
                null, null, 1, 1, 0, true).withKnown(null, mountPollUrl);
        ctx.withAccount(f.account);
        return ctx;
    }

    @Test
    void aQueuedMountJobIsRecordedBeforeItIsPolledAndTellsNoDownloadProgress() {
        f.hostUp.then(Endpoint.FROM_URL, json(Endpoint.FROM_URL, 200, "{}"))
                .then(Endpoint.ISO_LIST, libraryMounted("x.iso", null))
                .then(Endpoint.MOUNT, json(Endpoint.MOUNT, 202, MOUNT_QUEUED))
                .then(Endpoint.JOB, json(Endpoint.JOB, 200, "{\"operation\":{\"status\":\"running\",\"progress\":10}}"),
                        json(Endpoint.JOB, 200, "{\"operation\":{\"status\":\"completed\",\"progress\":100}}"));
        JobContext ctx = fresh();
        var sub = run(f.runner.run(ctx));
        f.timers.advance(Duration.ofSeconds(5));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.mounted().device()).isEqualTo("ide2");
        assertThat(f.journal).containsExactly(JobState.SUBMITTING, JobState.RESOLVING, JobState.MOUNTING, JobState.MOUNTING);
        assertThat(ctx.mountPollUrl()).isEqualTo("/api/jobs/mnt_1");
        assertThat(f.progressed).as("a mount job's progress is not the download's").isEmpty();
    }

    @Test
    void aResumeFromMountingPollsTheRecordedMountJobInsteadOfMountingAgain() {
        f.hostUp.then(Endpoint.ISO_LIST, libraryMounted("x.iso", null))
                .then(Endpoint.JOB, json(Endpoint.JOB, 200, "{\"operation\":{\"status\":\"completed\"}}"));
        var sub = run(f.runner.run(resumedInMounting("/api/jobs/mnt_1")));
        f.timers.advance(Duration.ofSeconds(5));
        assertThat(sub.assertCompleted().getItem().completed()).isTrue();
        assertThat(f.hostUp.calls(Endpoint.MOUNT)).isZero();
        assertThat(f.hostUp.calls(Endpoint.JOB)).isEqualTo(1);
    }

    @Test
    void aResumeWithoutAMountJobGivesTheFirstMountTimeToShowBeforeMountingAgain() {
        f.hostUp.then(Endpoint.ISO_LIST, libraryMounted("x.iso", null), libraryMounted("x.iso", null),
                libraryMounted("x.iso", "ide2"));
        var sub = run(f.runner.run(resumedInMounting(null)));
        f.timers.advance(Duration.ofSeconds(30));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.completed()).isTrue();
        assertThat(r.mounted().device()).isEqualTo("ide2");
        assertThat(f.hostUp.calls(Endpoint.MOUNT)).as("the first mount went through").isZero();
    }

    @Test
    void aMountCallOnTheWireHoldsTheHandOverUntilItsAnswerIsRecorded() {
        f.hostUp.then(Endpoint.ISO_LIST, libraryMounted("x.iso", null))
                .then(Endpoint.MOUNT, Uni.createFrom().<ApiResponse>nothing());
        JobContext ctx = resumedInMounting(null);
        run(f.runner.run(ctx));
        f.timers.advance(Duration.ofSeconds(30));
        assertThat(f.hostUp.calls(Endpoint.MOUNT)).isEqualTo(1);
        assertThat(ctx.isSubmitting()).as("a hand-over waits for this answer").isTrue();
    }

    @Test
    void aConflictIsSuccessWhenTheMountsShowTheFirstMountWentThrough() {
        // Not mounted when resumed, nor in the three reads of the grace; mounted when the 409 is checked.
        f.hostUp.then(Endpoint.ISO_LIST, libraryMounted("x.iso", null), libraryMounted("x.iso", null),
                        libraryMounted("x.iso", null), libraryMounted("x.iso", null), libraryMounted("x.iso", "ide2"))
                .then(Endpoint.MOUNT, problem(Endpoint.MOUNT, 409, "drive_busy"));
        var sub = run(f.runner.run(resumedInMounting(null)));
        f.timers.advance(Duration.ofMinutes(1));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.completed()).as("%s", r.error()).isTrue();
        assertThat(f.hostUp.calls(Endpoint.MOUNT)).isEqualTo(1);
    }

    // --- the mount call's answers ---------------------------------------------------------------

    /** A fresh job whose file is in the library at once; the mount call answers {@code mount} in turn. */
    private JobResult mountAnswering(Object... mount) {
        f.hostUp.then(Endpoint.FROM_URL, json(Endpoint.FROM_URL, 200, "{}"))
                .then(Endpoint.ISO_LIST, libraryMounted("x.iso", null))
                .then(Endpoint.MOUNT, mount);
        var sub = run(f.runner.run(fresh()));
        f.timers.advance(Duration.ofMinutes(1));
        return sub.assertCompleted().getItem();
    }

    @Test
    void theDriveHostUpNamesInItsAnswerIsTheOneReportedElseTheOneAsked() {
        assertThat(mountAnswering(json(Endpoint.MOUNT, 200, "{\"data\":{\"device\":\"ide3\"}}")).mounted().device())
                .isEqualTo("ide3");
    }

    @Test
    void anAnswerWithoutADriveReportsTheOneAsked() {
        assertThat(mountAnswering(json(Endpoint.MOUNT, 204, "")).mounted().device()).isEqualTo("ide2");
        assertThat(f.hostUp.calls(Endpoint.JOB)).isZero();
    }

    @Test
    void aMountJobAlreadyCompletedInThe202IsNotPolled() {
        JobResult r = mountAnswering(json(Endpoint.MOUNT, 202,
                "{\"operation\":{\"status\":\"completed\",\"jobId\":\"mnt_1\"},\"device\":\"ide0\"}"));
        assertThat(r.completed()).isTrue();
        assertThat(r.mounted().device()).isEqualTo("ide0");
        assertThat(f.hostUp.calls(Endpoint.JOB)).isZero();
        assertThat(f.journal).as("no mount job to record").containsExactly(JobState.SUBMITTING, JobState.RESOLVING,
                JobState.MOUNTING);
    }

    @Test
    void aMountJobTheAnswerReportsFailedFailsTheRequestMountFailedWithItsMessage() {
        JobResult r = mountAnswering(json(Endpoint.MOUNT, 202,
                "{\"operation\":{\"status\":\"failed\",\"jobId\":\"mnt_1\",\"result\":{\"message\":\"no free drive\"}}}"));
        assertThat(r.completed()).isFalse();
        assertThat(r.error().code()).isEqualTo("mount_failed");
        assertThat(r.error().detail()).isEqualTo("no free drive");
        assertThat(r.error().errors()).anySatisfy(e -> assertThat(e.code()).isEqualTo("job_failed"));
        assertThat(f.hostUp.calls(Endpoint.JOB)).isZero();
    }

    @Test
    void aRefusedMountTheMountsDoNotShowFailsMountFailedWithHostUpsCodeKept() {
        JobResult r = mountAnswering(problem(Endpoint.MOUNT, 409, "drive_busy"));
        assertThat(r.error().code()).isEqualTo("mount_failed");
        assertThat(r.error().retryable()).isFalse();
        assertThat(r.error().errors()).anySatisfy(e -> assertThat(e.code()).isEqualTo("drive_busy"));
        assertThat(f.hostUp.calls(Endpoint.MOUNT)).isEqualTo(1);
    }

    @Test
    void anAmbiguousMountIsCalledAgainOnlyWhileTheMountsDoNotShowItAndAtMostMaxAttemptsTimes() {
        JobResult r = mountAnswering(problem(Endpoint.MOUNT, 500, "internal_error"));
        assertThat(r.error().code()).isEqualTo("mount_failed");
        assertThat(r.error().errors()).anySatisfy(e -> assertThat(e.code()).isEqualTo("internal_error"));
        assertThat(f.hostUp.calls(Endpoint.MOUNT)).as("iso.submit.max-attempts").isEqualTo(3);
    }

    @Test
    void anAmbiguousMountThatTheMountsShowIsASuccessWithoutASecondCall() {
        f.hostUp.then(Endpoint.FROM_URL, json(Endpoint.FROM_URL, 200, "{}"))
                .then(Endpoint.ISO_LIST, libraryMounted("x.iso", null), libraryMounted("x.iso", "ide2"))
                .then(Endpoint.MOUNT, problem(Endpoint.MOUNT, 502, "upstream_unavailable"));
        var sub = run(f.runner.run(fresh()));
        f.timers.advance(Duration.ofMinutes(1));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.completed()).as("%s", r.error()).isTrue();
        assertThat(r.mounted().device()).isEqualTo("ide2");
        assertThat(f.hostUp.calls(Endpoint.MOUNT)).isEqualTo(1);
    }

    @Test
    void aResumeFindingTheIsoMountedAlreadyCallsNothingMore() {
        f.hostUp.then(Endpoint.ISO_LIST, libraryMounted("x.iso", "ide2"));
        var sub = run(f.runner.run(resumedInMounting("/api/jobs/mnt_1")));
        JobResult r = sub.assertCompleted().getItem();
        assertThat(r.mounted().device()).isEqualTo("ide2");
        assertThat(f.hostUp.calls(Endpoint.MOUNT)).isZero();
        assertThat(f.hostUp.calls(Endpoint.JOB)).isZero();
    }
}
