package dev.hostupiso.worker.job;

/** A validated download request: what the worker asks HostUp to do. */
public record IsoRequest(String requestId, String vpsId, String url, String filename, String decompress) {
}
