package dev.hostupiso.worker.wire;

/**
 * A validated download request: what the worker asks HostUp to do.
 *
 * @param account the team account whose API key the request uses; null is the default account
 * @param mount   mount the ISO once it is resolved; null: only download it
 */
public record IsoRequest(String requestId, String vpsId, String url, String filename, String decompress, String account,
                         MountRequest mount) {

    /** A request for the default account that only downloads. */
    public IsoRequest(String requestId, String vpsId, String url, String filename, String decompress) {
        this(requestId, vpsId, url, filename, decompress, null, null);
    }

    /**
     * The request's {@code mount} object.
     *
     * @param device the drive to mount on ({@code ide2}, …); null lets HostUp choose
     */
    public record MountRequest(String device) {
    }
}
