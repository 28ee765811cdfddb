package dev.hostupiso.worker.wire;

/** The ISO was mounted after it was resolved; {@code device} is the drive HostUp used, when known. */
public record Mounted(String device) {
}
