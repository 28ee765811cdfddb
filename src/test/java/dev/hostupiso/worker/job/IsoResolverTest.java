package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.JobError;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static dev.hostupiso.worker.job.JobFixture.failure;
import static dev.hostupiso.worker.job.JobFixture.run;
import static dev.hostupiso.worker.job.ScriptedHostUp.library;
import static dev.hostupiso.worker.job.ScriptedHostUp.problem;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link IsoResolver}: the library may lag the job that filled it. */
class IsoResolverTest {

    private final JobFixture f = new JobFixture(Map.of("iso.resolve-attempts", "3"));

    @Test
    void anIsoNotListedYetRightAfterItsJobCompletedIsReadAgainUntilItAppears() {
        f.hostUp.then(Endpoint.ISO_LIST, library("other.iso"), library("other.iso"), library("other.iso", "x.iso"));
        var sub = run(f.resolver.resolve(f.job(Duration.ofHours(1))));
        assertThat(f.hostUp.calls(Endpoint.ISO_LIST)).isEqualTo(1);
        sub.assertNotTerminated();
        f.timers.advance(Duration.ofSeconds(1));
        sub.assertItem("iso_2");
        assertThat(f.hostUp.calls(Endpoint.ISO_LIST)).isEqualTo(3);
    }

    @Test
    void anIsoThatNeverAppearsFailsAfterTheConfiguredReads() {
        f.hostUp.then(Endpoint.ISO_LIST, library("other.iso"));
        var sub = run(f.resolver.resolve(f.job(Duration.ofHours(1))));
        f.timers.advance(Duration.ofMinutes(1));
        JobError e = failure(sub);
        assertThat(e.code()).isEqualTo("iso_not_listed");
        assertThat(e.detail()).contains("after 3 reads");
        assertThat(f.hostUp.calls(Endpoint.ISO_LIST)).isEqualTo(3);
        assertThat(f.timers.pending()).isZero();
    }

    @Test
    void noReadIsStartedThatWouldWaitPastTheDeadline() {
        f.hostUp.then(Endpoint.ISO_LIST, library());
        var sub = run(f.resolver.resolve(f.job(Duration.ofMillis(50))));
        assertThat(failure(sub).code()).as("the next read would start after the deadline").isEqualTo("iso_not_listed");
        assertThat(f.hostUp.calls(Endpoint.ISO_LIST)).isEqualTo(1);
    }

    @Test
    void aLibraryTheKeyMayNotReadFailsAtOnceWithHostUpsCode() {
        f.hostUp.then(Endpoint.ISO_LIST, problem(Endpoint.ISO_LIST, 404, "vps_not_found"));
        var sub = run(f.resolver.resolve(f.job(Duration.ofHours(1))));
        assertThat(failure(sub).code()).isEqualTo("vps_not_found");
        assertThat(f.hostUp.calls(Endpoint.ISO_LIST)).isEqualTo(1);
    }

    @Test
    void watchingEndsEmptyWhenTheNextReadWouldStartAfterTheWindow() {
        f.hostUp.then(Endpoint.ISO_LIST, library());
        var sub = run(f.resolver.watch(f.job(Duration.ofHours(1)), new AmbiguityWatch(Duration.ofMillis(350),
                JobFixture.INITIAL), f.clock.instant().plusMillis(350)));
        f.timers.advance(Duration.ofSeconds(1));
        sub.assertItem(Optional.empty());
        assertThat(f.hostUp.calls(Endpoint.ISO_LIST)).as("reads at 0, 100, 200, 300 ms (at least 100 ms apart)").isEqualTo(4);
    }

    @Test
    void watchingEndsAsSoonAsTheFileIsListed() {
        f.hostUp.then(Endpoint.ISO_LIST, library(), library("x.iso"));
        var sub = run(f.resolver.watch(f.job(Duration.ofHours(1)), new AmbiguityWatch(Duration.ofSeconds(7),
                JobFixture.INITIAL), f.clock.instant().plusSeconds(600)));
        f.timers.advance(Duration.ofSeconds(1));
        sub.assertItem(Optional.of("iso_1"));
    }
}
