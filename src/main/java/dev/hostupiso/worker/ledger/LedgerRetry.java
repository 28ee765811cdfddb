package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.job.Backoff;
import io.smallrye.mutiny.Uni;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a ledger writer waits before trying a failed transaction again: the project's jittered
 * backoff ({@link Backoff}, on the injected randomness) and a non-blocking wait of that long.
 *
 * @param backoff the delay of each attempt, jittered
 * @param waits   a wait of the given length that holds no thread (a timer)
 */
record LedgerRetry(Backoff backoff, Function<Duration, Uni<Void>> waits) {

    /** From 100 ms, doubling, to at most 5 s between two tries of a transaction. */
    static final Duration INITIAL = Duration.ofMillis(100);
    static final Duration MAX = Duration.ofSeconds(5);

    LedgerRetry {
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(waits, "waits");
    }

    /** The delay before retry {@code attempt} (0-based). */
    Duration delay(int attempt) {
        return backoff.backoff(attempt);
    }

    /** A wait of {@code delay}. */
    Uni<Void> after(Duration delay) {
        return waits.apply(delay);
    }
}
