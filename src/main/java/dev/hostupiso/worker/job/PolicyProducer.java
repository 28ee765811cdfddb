package dev.hostupiso.worker.job;

import dev.hostupiso.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Builds the immutable policies from configuration once, failing start-up on bad values. */
@ApplicationScoped
public class PolicyProducer {

    @Produces
    @Singleton // a record cannot be proxied
    RetryPolicy retryPolicy(WorkerConfig config) {
        return new RetryPolicy(config.poll().initialDelay(), config.poll().maxDelay(), config.retryAfterMax());
    }

    @Produces
    @Singleton
    PollSchedule pollSchedule(RetryPolicy retryPolicy, WorkerConfig config) {
        return new PollSchedule(retryPolicy, config.poll().progressMaxDelay(), config.poll().progressAware());
    }

    /** One per process: every finished download teaches it, every new one asks it. */
    @Produces
    @Singleton
    ThroughputPrior throughputPrior(Clock clock) {
        return new ThroughputPrior(clock);
    }

    @Produces
    @Singleton
    ProgressThrottle progressThrottle(WorkerConfig config) {
        return new ProgressThrottle(config.progress().minInterval());
    }
}
