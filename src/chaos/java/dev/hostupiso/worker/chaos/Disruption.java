package dev.hostupiso.worker.chaos;

/** What the chaos soak does to the deployment between two pauses. */
enum Disruption {
    /** kill -9 of one worker, replaced by a new instance a moment later. */
    KILL,
    /** SIGTERM of one worker (a graceful shutdown), replaced by a new instance. */
    TERM,
    /** SIGSTOP of one worker for longer than the consumer session timeout, then SIGCONT: a zombie comes back. */
    STOP_CONT,
    /** Every packet between one worker and the broker dropped silently, then the link healed. */
    PARTITION_BROKER,
    /** Every packet between one worker and HostUp dropped silently, then the link healed. */
    PARTITION_HOSTUP,
    /** One worker cut off from both the broker and HostUp, then healed. */
    PARTITION_BOTH,
    /** The broker stops and starts again on the same ports and data. */
    BROKER_RESTART;

    boolean isPartition() {
        return this == PARTITION_BROKER || this == PARTITION_HOSTUP || this == PARTITION_BOTH;
    }
}
