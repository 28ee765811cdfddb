package dev.hostupiso.worker.wire;

/** The HostUp calls the worker makes; {@link #tag()} is the metrics label. */
public enum Endpoint {
    FROM_URL("from_url"),
    JOB("job"),
    ISO_LIST("iso_list"),
    MOUNT("mount"),
    /** {@code GET /api/v2/vps}: the VPSs a key may use; the request-independent probe of a key. */
    VPS_LIST("vps_list");

    private final String tag;

    Endpoint(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
