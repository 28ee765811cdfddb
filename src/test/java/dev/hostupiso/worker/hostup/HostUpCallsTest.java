package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.job.HostUpPort;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobFixture;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.JobStatus;
import dev.hostupiso.worker.wire.TransportException;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.hostupiso.worker.job.ScriptedHostUp.json;
import static dev.hostupiso.worker.job.ScriptedHostUp.problem;
import static dev.hostupiso.worker.job.ScriptedHostUp.withRetryAfter;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HostUp port's adapter reads every final answer into the port's typed answer: the core never sees an HTTP
 * status, a header or a body. Driven through the real retrying caller with a scripted HostUp.
 */
class HostUpCallsTest {

    private final JobFixture f = new JobFixture();
    private final JobContext ctx = f.job(Duration.ofHours(1));
    /** What the {@link HostUpPort.OnTheWire} steps saw, in order. */
    private final List<String> wire = new ArrayList<>();

    private HostUpPort.OnTheWire<String> recording(String url) {
        return new HostUpPort.OnTheWire<>() {
            @Override
            public Uni<String> beforeTry() {
                wire.add("before");
                return Uni.createFrom().item(url);
            }

            @Override
            public Uni<Void> refused() {
                wire.add("refused");
                return Uni.createFrom().voidItem();
            }
        };
    }

    private HostUpPort.FromUrlAnswer fromUrl() {
        return JobFixture.run(f.calls.fromUrl(ctx, recording("https://example.org/x.iso"))).assertCompleted().getItem();
    }

    @Test
    void fromUrlAnswersAreAlreadyThereAcceptedWithTheirJobNoJobOrRefused() {
        f.hostUp.then(Endpoint.FROM_URL, json(Endpoint.FROM_URL, 200, "{\"operation\":{\"status\":\"completed\",\"jobId\":\"job_0\"}}"),
                json(Endpoint.FROM_URL, 202, "{\"operation\":{\"status\":\"pending\",\"jobId\":\"job_1\",\"pollUrl\":\"/api/jobs/job_1\"}}"),
                json(Endpoint.FROM_URL, 202, "<html>queued</html>"),
                problem(Endpoint.FROM_URL, 400, "invalid_url"));

        assertThat(fromUrl()).isEqualTo(new HostUpPort.AlreadyThere(Optional.of("job_0")));
        HostUpPort.FromUrlAnswer accepted = fromUrl();
        assertThat(accepted).isInstanceOfSatisfying(HostUpPort.Accepted.class, a -> {
            assertThat(a.status()).isEqualTo(202);
            assertThat(a.job().state()).isEqualTo(JobStatus.State.PENDING);
            assertThat(a.job().jobId()).contains("job_1");
            assertThat(a.job().pollUrl()).contains("/api/jobs/job_1");
            assertThat(a.upstreamRequestId()).contains("req_202");
        });
        assertThat(fromUrl()).isEqualTo(new HostUpPort.NoJob(202, Optional.of("req_202")));
        assertThat(fromUrl()).isInstanceOfSatisfying(HostUpPort.Refused.class, r -> {
            assertThat(r.problem().code()).isEqualTo("invalid_url");
            assertThat(r.problem().status()).isEqualTo(400);
        });
        assertThat(wire).as("every try on the wire, none of them a refusal").containsExactly("before", "before", "before", "before");
        assertThat(ctx.apiCalls().fromUrl()).isEqualTo(4);
    }

    @Test
    void aTryHostUpProvesItDidNotActOnIsToldAsRefusedAndTriedAgain() {
        f.hostUp.then(Endpoint.FROM_URL, problem(Endpoint.FROM_URL, 409, "vps_not_ready"),
                new TransportException(Endpoint.FROM_URL, TransportException.Kind.CONNECT_FAILED, new IOException("refused")),
                json(Endpoint.FROM_URL, 200, "{}"));
        var sub = JobFixture.run(f.calls.fromUrl(ctx, recording("https://example.org/x.iso")));
        f.timers.advance(Duration.ofSeconds(5));
        assertThat(sub.assertCompleted().getItem()).isEqualTo(new HostUpPort.AlreadyThere(Optional.empty()));
        assertThat(wire).containsExactly("before", "refused", "before", "refused", "before");
    }

    @Test
    void pollAnswersCarryTheJobItsRetryAfterOrTheProblem() {
        f.hostUp.then(Endpoint.JOB,
                withRetryAfter(json(Endpoint.JOB, 200, "{\"operation\":{\"status\":\"in_progress\",\"progress\":40}}"), "7"),
                json(Endpoint.JOB, 200, "{\"hello\":1}"),
                withRetryAfter(problem(Endpoint.JOB, 404, "job_not_found"), "3"),
                problem(Endpoint.JOB, 400, "bad_job"));

        HostUpPort.PollAnswer running = JobFixture.run(f.calls.job(ctx, "/api/jobs/j")).assertCompleted().getItem();
        assertThat(running).isInstanceOfSatisfying(HostUpPort.JobSeen.class, s -> {
            assertThat(s.job()).hasValueSatisfying(j -> assertThat(j.progress()).contains(40));
            assertThat(s.retryAfter()).contains(Duration.ofSeconds(7));
        });
        assertThat(JobFixture.run(f.calls.job(ctx, "/api/jobs/j")).assertCompleted().getItem())
                .isEqualTo(new HostUpPort.JobSeen(Optional.empty(), Optional.empty(), Optional.of("req_200")));
        assertThat(JobFixture.run(f.calls.job(ctx, "/api/jobs/j")).assertCompleted().getItem())
                .isInstanceOfSatisfying(HostUpPort.JobNotFound.class, n -> {
                    assertThat(n.problem().code()).isEqualTo("job_not_found");
                    assertThat(n.retryAfter()).contains(Duration.ofSeconds(3));
                });
        assertThat(JobFixture.run(f.calls.job(ctx, "/api/jobs/j")).assertCompleted().getItem())
                .isInstanceOfSatisfying(HostUpPort.Refused.class, r -> assertThat(r.problem().code()).isEqualTo("bad_job"));
    }

    @Test
    void libraryAnswersAreTheLibraryEmptyWhenUnreadableOrRefused() {
        f.hostUp.then(Endpoint.ISO_LIST, json(Endpoint.ISO_LIST, 200, "{\"available\":[{\"id\":\"iso_1\",\"name\":\"x.iso\"}]}"),
                json(Endpoint.ISO_LIST, 200, "not json"), problem(Endpoint.ISO_LIST, 404, "vps_not_found"));

        assertThat(JobFixture.run(f.calls.isoLibrary(ctx)).assertCompleted().getItem())
                .isInstanceOfSatisfying(HostUpPort.LibraryRead.class, l ->
                        assertThat(l.library()).hasValueSatisfying(lib -> assertThat(lib.idOf("x.iso")).contains("iso_1")));
        assertThat(JobFixture.run(f.calls.isoLibrary(ctx)).assertCompleted().getItem())
                .isEqualTo(new HostUpPort.LibraryRead(Optional.empty()));
        assertThat(JobFixture.run(f.calls.isoLibrary(ctx)).assertCompleted().getItem())
                .isInstanceOfSatisfying(HostUpPort.Refused.class, r -> assertThat(r.problem().code()).isEqualTo("vps_not_found"));
    }

    @Test
    void mountAnswersAreDoneQueuedFailedOrRefused() {
        f.hostUp.then(Endpoint.MOUNT, json(Endpoint.MOUNT, 200, "{\"device\":\"ide2\"}"),
                json(Endpoint.MOUNT, 204, ""),
                json(Endpoint.MOUNT, 202, "{\"operation\":{\"status\":\"pending\",\"jobId\":\"m_1\"}}"),
                json(Endpoint.MOUNT, 202, "{\"operation\":{\"status\":\"failed\",\"jobId\":\"m_2\",\"result\":\"no drive\"}}"),
                json(Endpoint.MOUNT, 202, "{\"operation\":{\"status\":\"completed\",\"jobId\":\"m_3\"},\"device\":\"ide3\"}"),
                problem(Endpoint.MOUNT, 409, "iso_in_use"));
        HostUpPort.OnTheWire<Void> none = new HostUpPort.OnTheWire<>() {
            @Override
            public Uni<Void> beforeTry() {
                return Uni.createFrom().voidItem();
            }

            @Override
            public Uni<Void> refused() {
                return Uni.createFrom().voidItem();
            }
        };

        List<HostUpPort.MountAnswer> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(JobFixture.run(f.calls.mount(ctx, "iso_1", null, none)).assertCompleted().getItem());
        }
        assertThat(answers).containsExactly(new HostUpPort.MountDone(Optional.of("ide2")), new HostUpPort.MountDone(Optional.empty()),
                new HostUpPort.MountQueued("/api/jobs/m_1"), new HostUpPort.MountJobFailed(Optional.of("no drive"), Optional.of("req_202")),
                new HostUpPort.MountDone(Optional.of("ide3")), answers.get(5));
        assertThat(answers.get(5)).isInstanceOfSatisfying(HostUpPort.Refused.class,
                r -> assertThat(r.problem().code()).isEqualTo("iso_in_use"));
        assertThat(ctx.apiCalls().mount()).isEqualTo(6);
    }
}
