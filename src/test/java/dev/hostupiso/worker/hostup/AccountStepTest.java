package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.config.TeamTopics;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobFailure;
import dev.hostupiso.worker.job.JobState;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.testsupport.ManualTimers;
import dev.hostupiso.worker.testsupport.TestConfig;
import dev.hostupiso.worker.wire.IsoRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Which account a job may spend, decided by its request topic; a resumed job waits for a key not here yet. */
class AccountStepTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final ManualTimers timers = new ManualTimers(clock);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkerMetrics metrics = new WorkerMetrics(registry);
    private final TeamTopics topics = TestConfig.teams(Map.of("hostup.accounts.team-a.topics", "team-a-requests",
            "hostup.accounts.team-b.topics", "team-b-requests"));

    @TempDir
    Path dir;

    private Account account(String name, String token) {
        return new Account(name, token, new HostUpRateLimiterAccess().create(clock, metrics, timers), new ApiKeyState(metrics, 3, name));
    }

    private HostUpAccounts accounts() throws Exception {
        Files.writeString(dir.resolve("team-a"), "key-a");
        return new HostUpAccounts(account(Account.DEFAULT, "d"), Map.of(), Optional.of(dir), this::account, null, metrics);
    }

    private JobContext job(String topic, String account, boolean resumed) {
        IsoRequest r = new IsoRequest("r-1", "vps_a", "https://example.org/x.iso", "x.iso", "none", account, null);
        JobContext ctx = resumed
                ? JobContext.resumed(r, clock.instant(), clock.instant().plusSeconds(60), 0, 1, JobState.SUBMITTED, "j", "/p", 1, 1, 0, false)
                : new JobContext(r, clock.instant(), clock.instant().plusSeconds(60), 0, 1);
        return ctx.fromTopic(topic);
    }

    private static <T> UniAssertSubscriber<T> run(io.smallrye.mutiny.Uni<T> uni) {
        return uni.subscribe().withSubscriber(UniAssertSubscriber.create());
    }

    private static String code(UniAssertSubscriber<?> sub) {
        return ((JobFailure) sub.getFailure()).error().code();
    }

    @Test
    void aTeamTopicSpendsItsTeamsKeyNamedOrNotAndNoOther() throws Exception {
        AccountStep step = new AccountStep(accounts(), topics, timers, clock, metrics);
        assertThat(run(step.find(job("team-a-requests", null, false))).getItem().name()).isEqualTo("team-a");
        assertThat(run(step.find(job("team-a-requests", "team-a", false))).getItem().name()).isEqualTo("team-a");
        UniAssertSubscriber<Account> other = run(step.find(job("team-a-requests", "team-b", false)));
        assertThat(code(other)).isEqualTo("account_not_allowed");
        assertThat(((JobFailure) other.getFailure()).error().retryable()).isFalse();
        assertThat(((JobFailure) other.getFailure()).error().detail()).contains("team-a-requests");
        assertThat(code(run(step.find(job("team-a-requests", "default", false))))).isEqualTo("account_not_allowed");
    }

    @Test
    void theSharedTopicSpendsOnlyTheDefaultKey() throws Exception {
        AccountStep step = new AccountStep(accounts(), topics, timers, clock, metrics);
        assertThat(run(step.find(job("iso-download-requests", null, false))).getItem().isDefault()).isTrue();
        assertThat(run(step.find(job("iso-download-requests", "default", false))).getItem().isDefault()).isTrue();
        assertThat(code(run(step.find(job("iso-download-requests", "team-a", false))))).isEqualTo("account_not_allowed");
    }

    @Test
    void aNewRequestForAnAccountWithoutAKeyFailsUnknownAccount() throws Exception {
        AccountStep step = new AccountStep(accounts(), topics, timers, clock, metrics);
        assertThat(code(run(step.find(job("team-b-requests", null, false))))).isEqualTo("unknown_account");
    }

    @Test
    void aResumedJobWhoseAccountIsNotKnownYetWaitsForItsKeyInsteadOfFailing() throws Exception {
        HostUpAccounts accounts = accounts();
        AccountStep step = new AccountStep(accounts, topics, timers, clock, metrics);
        UniAssertSubscriber<Account> sub = run(step.find(job("team-b-requests", null, true)));
        timers.advance(Duration.ofSeconds(20));
        sub.assertNotTerminated();
        assertThat(registry.get(WorkerMetrics.JOBS_AWAITING_ACCOUNT).gauge().value()).isEqualTo(1);

        Files.writeString(dir.resolve("team-b"), "key-b"); // the Secret reaches this pod
        accounts.reload();
        timers.advance(AccountStep.RECHECK);

        assertThat(sub.getItem().name()).isEqualTo("team-b");
        assertThat(registry.get(WorkerMetrics.JOBS_AWAITING_ACCOUNT).gauge().value()).isZero();
    }

    @Test
    void aResumedJobStillWithoutItsKeyAtItsDeadlineFailsUnknownAccount() throws Exception {
        AccountStep step = new AccountStep(accounts(), topics, timers, clock, metrics);
        UniAssertSubscriber<Account> sub = run(step.find(job("team-b-requests", null, true)));
        timers.advance(Duration.ofSeconds(61));
        assertThat(code(sub)).isEqualTo("unknown_account");
    }
}
