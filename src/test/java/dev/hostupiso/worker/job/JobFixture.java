package dev.hostupiso.worker.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.hostup.Account;
import dev.hostupiso.worker.hostup.AccountStep;
import dev.hostupiso.worker.hostup.ApiKeyState;
import dev.hostupiso.worker.hostup.HostUpAccounts;
import dev.hostupiso.worker.hostup.HostUpCalls;
import dev.hostupiso.worker.hostup.HostUpRateLimiter;
import dev.hostupiso.worker.hostup.HostUpRateLimiterAccess;
import dev.hostupiso.worker.hostup.RetryingCaller;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.testsupport.ManualTimers;
import dev.hostupiso.worker.testsupport.TestConfig;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The job steps wired as in production, but on a manual clock and timers, a scripted HostUp and an
 * in-memory journal: a six-hour job runs in milliseconds, without a broker. Backoff draws 0, so
 * every backoff is the initial delay (100 ms) unless a {@code Retry-After} says otherwise.
 */
public final class JobFixture {

    public static final Duration INITIAL = Duration.ofMillis(100);

    public final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T10:00:00Z"));
    public final ManualTimers timers = new ManualTimers(clock);
    public final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
    public final HostUpRateLimiter limiter = new HostUpRateLimiterAccess().create(clock, metrics, timers);
    public final ApiKeyState keyState = new ApiKeyState(metrics, 3);
    public final Account account = new Account(Account.DEFAULT, "test-token", limiter, keyState);
    public final ObjectMapper mapper = new ObjectMapper();
    public final ScriptedHostUp hostUp = new ScriptedHostUp();
    /** The states each job recorded, in order. */
    public final List<JobState> journal = new ArrayList<>();
    /** The download progress told to the listener, in percent, in order. */
    public final List<Double> progressed = new ArrayList<>();
    public final WorkerConfig config;
    public final Backoff backoff;
    public final RetryingCaller caller;
    /** The HostUp port as in production: the scripted HostUp behind the real retrying caller. */
    public final HostUpCalls calls;
    public final JobPoller poller;
    /** What the poller learns from finished downloads. */
    public final ThroughputPrior throughput = new ThroughputPrior(clock);
    public final IsoResolver resolver;
    public final MountStep mountStep;
    public final IsoJobRunner runner;
    public final HostUpAccounts accounts = new HostUpAccounts(account, Map.of(), Optional.empty(), (name, token) -> account, null, metrics);

    public JobFixture() {
        this(Map.of());
    }

    public JobFixture(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of("iso.poll.initial-delay", "100ms", "iso.poll.max-delay", "400ms",
                "iso.retry-after-max", "10m", "iso.forbidden-hold.confirmation", "3s"));
        all.putAll(settings);
        config = TestConfig.worker(all);
        RetryPolicy policy = new RetryPolicy(config.poll().initialDelay(), config.poll().maxDelay(), config.retryAfterMax());
        backoff = new Backoff(policy, () -> 0L);
        caller = new RetryingCaller(backoff, timers, clock, metrics, mapper, hostUp, config,
                new dev.hostupiso.worker.hostup.KeyProbe(hostUp, timers, clock, dev.hostupiso.worker.hostup.ShareSource.WHOLE, mapper));
        calls = new HostUpCalls(hostUp, caller, new AccountStep(accounts, TestConfig.teams(Map.of()), timers, clock, metrics),
                mapper, clock);
        poller = new JobPoller(calls, backoff, timers, clock, config,
                new PollSchedule(policy, config.poll().progressMaxDelay(), false), new ProgressThrottle(Duration.ofSeconds(10)),
                (ctx, progress) -> progressed.add(progress.percentage()), throughput);
        resolver = new IsoResolver(calls, backoff, timers, clock, config);
        JobJournal recording = (ctx, state) -> {
            journal.add(state);
            return Uni.createFrom().voidItem();
        };
        mountStep = new MountStep(calls, poller, resolver, recording, backoff, timers, clock, config);
        runner = new IsoJobRunner(calls, poller, resolver, recording, PreflightStep.off(), mountStep, clock, config);
        limiter.observe(Optional.empty()); // a first answer came: calls are not probes
        keyState.answered(dev.hostupiso.worker.wire.Endpoint.ISO_LIST, 200); // the key's read scope is proven
    }

    public JobContext job(Duration timeout) {
        IsoRequest r = new IsoRequest("r-1", "vps_a", "https://example.org/x.iso", "x.iso", "none");
        JobContext ctx = new JobContext(r, clock.instant(), clock.instant().plus(timeout), 0, 1);
        ctx.withAccount(account);
        return ctx;
    }

    public static <T> UniAssertSubscriber<T> run(Uni<T> uni) {
        return uni.subscribe().withSubscriber(UniAssertSubscriber.create());
    }

    public static JobError failure(UniAssertSubscriber<?> sub) {
        Throwable f = sub.getFailure();
        if (!(f instanceof JobFailure jf)) {
            throw new AssertionError("expected a JobFailure, got " + f + (f == null ? " (item " + sub.getItem() + ")" : ""));
        }
        return jf.error();
    }
}
