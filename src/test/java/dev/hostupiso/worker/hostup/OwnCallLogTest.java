package dev.hostupiso.worker.hostup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OwnCallLogTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** A ring grown for 32 calls keeps only 32 starts; asked for 33 afterwards it has not kept enough of them. */
    @Test
    void ringGrowsToTheCallsAskedNotBeyond() {
        OwnCallLog log = new OwnCallLog();
        Duration window = Duration.ofSeconds(60);
        assertEquals(Instant.MIN, log.freeAt(32, window));
        for (int i = 0; i < 40; i++) {
            log.granted(T0.plusSeconds(i));
        }
        assertEquals(T0.plusSeconds(8).plus(window), log.freeAt(32, window));
        assertEquals(Instant.MIN, log.freeAt(33, window));
    }
}
