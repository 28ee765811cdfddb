package dev.hostupiso.worker.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.time.Clock;
import java.util.Random;
import java.util.random.RandomGenerator;

/** Time and randomness as beans, so tests and policies never reach for statics. */
@ApplicationScoped
public class RuntimeProducers {

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @ApplicationScoped
    RandomGenerator random() {
        // java.util.Random is thread-safe; jitter needs no cryptographic quality.
        return new Random();
    }
}
