package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.config.TeamTopics;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.JobFailure;
import dev.hostupiso.worker.job.JobLog;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.wire.JobError;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Finds the account whose key a job spends, before any API call: the account bound to the topic
 * the request was read from. A request naming another account fails {@code account_not_allowed}.
 * A new request whose account has no key here fails {@code unknown_account}; a resumed one waits
 * for the key instead (a rollout, a Secret not yet synced to this pod), because HostUp may be
 * downloading for it already and its outcome must say what happened, not that the key was missing.
 */
@ApplicationScoped
public class AccountStep {

    /** How often a resumed job waiting for its account's key looks again. */
    static final Duration RECHECK = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(AccountStep.class);

    private final HostUpAccounts accounts;
    private final TeamTopics topics;
    private final Delays delays;
    private final Clock clock;
    private final WorkerMetrics metrics;

    public AccountStep(HostUpAccounts accounts, TeamTopics topics, Delays delays, Clock clock, WorkerMetrics metrics) {
        this.accounts = accounts;
        this.topics = topics;
        this.delays = delays;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** The job's account; fails with a {@link JobFailure} when it may not or cannot have one. */
    public Uni<Account> find(JobContext ctx) {
        String requested = ctx.request().account();
        String topic = ctx.topic() == null ? topics.sharedRequests() : ctx.topic();
        Optional<String> bound = topics.accountFor(topic, requested);
        if (bound.isEmpty()) {
            JobLog.warn(LOG, ctx, "names account %s, which requests from topic %s may not use: refused without an API call",
                    requested, topic);
            return Uni.createFrom().failure(new JobFailure(JobError.accountNotAllowed(requested, topic, topics.boundAccount(topic))));
        }
        String name = bound.get();
        Optional<Account> account = accounts.find(name);
        if (account.isPresent()) {
            return Uni.createFrom().item(account.get());
        }
        if (!ctx.isResumed()) {
            return Uni.createFrom().failure(new JobFailure(JobError.unknownAccount(name)));
        }
        JobLog.warn(LOG, ctx, "resumed, but this instance holds no key for account %s (yet): waiting for it", name);
        metrics.jobsAwaitingAccount(1);
        return AsyncLoop.untilPresent(() -> lookAgain(ctx, name)).onTermination().invoke(() -> metrics.jobsAwaitingAccount(-1));
    }

    private Uni<Optional<Account>> lookAgain(JobContext ctx, String name) {
        Optional<Account> account = accounts.find(name);
        if (account.isPresent()) {
            JobLog.info(LOG, ctx, "account %s's key is here now: resuming", name);
            return AsyncLoop.done(account.get());
        }
        Instant now = clock.instant();
        if (!now.isBefore(ctx.deadline())) {
            return Uni.createFrom().failure(new JobFailure(JobError.unknownAccount(name)));
        }
        Duration left = Duration.between(now, ctx.deadline());
        return AsyncLoop.again(RetryingCaller.cancellable(ctx, delays.after(left.compareTo(RECHECK) < 0 ? left : RECHECK)));
    }
}
