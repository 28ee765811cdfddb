package dev.hostupiso.worker.messaging;

/** Nacks a record that cannot be answered; the connector writes it to the dead-letter topic with this message as reason. */
public final class PoisonRecordException extends RuntimeException {

    public PoisonRecordException(String reason) {
        super(reason, null, false, false);
    }
}
