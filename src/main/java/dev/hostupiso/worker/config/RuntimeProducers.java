package dev.hostupiso.worker.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

import java.time.Clock;
import java.util.Random;
import java.util.random.RandomGenerator;

/** Time, randomness and the team topics as beans, so tests and policies never reach for statics. */
@ApplicationScoped
public class RuntimeProducers {

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Which account each request topic may spend, and where each team's outcomes go. */
    @Produces
    @Singleton // an immutable value: no client proxy
    TeamTopics teamTopics(Config config, WorkerConfig worker) {
        return TeamTopics.read(config.getPropertyNames(), n -> config.getOptionalValue(n, String.class), worker);
    }

    @Produces
    @ApplicationScoped
    RandomGenerator random() {
        // java.util.Random is thread-safe; jitter needs no cryptographic quality.
        return new Random();
    }
}
