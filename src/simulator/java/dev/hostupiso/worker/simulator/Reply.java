package dev.hostupiso.worker.simulator;

import java.time.Duration;

/** An answer; {@code dropped}: none, the connection closes; {@code holdFor}: sent (or dropped) that much later. */
record Reply(int status, String contentType, byte[] body, Duration holdFor, boolean dropped) {
    Reply(int status, String contentType, byte[] body) {
        this(status, contentType, body, null, false);
    }

    static Reply none() {
        return new Reply(0, null, null, null, true);
    }

    Reply heldFor(Duration d) {
        return new Reply(status, contentType, body, d, dropped);
    }
}
