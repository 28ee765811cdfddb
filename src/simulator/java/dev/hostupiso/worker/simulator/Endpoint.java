package dev.hostupiso.worker.simulator;

/**
 * The HostUp API endpoints the {@link HostUpSimulator} serves.
 */
public enum Endpoint {
    /** {@code POST /api/v2/vps/{id}/iso/actions/from-url}: queue a download into the ISO library. */
    FROM_URL,
    /** {@code GET /api/jobs/{jobId}}: poll a job (the {@code pollUrl} of a from-url operation). */
    JOB,
    /** {@code GET /api/v2/vps/{id}/iso}: the VPS's ISO library. */
    ISO_LIST,
    /** {@code POST /api/v2/vps/{id}/iso/actions/mount}: mount an ISO ({@code {"isoId":…,"device":…}}). */
    MOUNT,
    /** {@code POST /api/v2/vps/{id}/iso/actions/unmount}: unmount ({@code {"device":…}} optional). Extra. */
    UNMOUNT,
    /**
     * {@code GET /api/v2/vps}: the VPSs the key may use, paginated ({@code ?limit=1..100}, default 20, and the
     * opaque {@code ?cursor=} of {@code nextCursor}); needs {@code read:vm}. Documented: the route, the paging and
     * {@code data[].id}; the other entry fields are the simulator's.
     */
    VPS_LIST
}
