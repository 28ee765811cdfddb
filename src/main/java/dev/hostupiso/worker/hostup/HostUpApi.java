package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.TransportException;
import io.smallrye.mutiny.Uni;

/**
 * The HostUp calls a job makes, each with the key of the request's {@link Account}. Each answers the raw {@link ApiResponse} (any status) and fails only
 * on a transport error ({@link TransportException}); {@link HostUpClient} is the real
 * one, tests drive the job steps with a scripted one.
 */
public interface HostUpApi {

    /** {@code POST /api/v2/vps/{id}/iso/actions/from-url}. */
    Uni<ApiResponse> fromUrl(Account account, String vpsId, String url, String filename, String decompress);

    /** {@code GET {pollUrl}}. */
    Uni<ApiResponse> job(Account account, String pollUrl);

    /** {@code GET /api/v2/vps/{id}/iso}. */
    Uni<ApiResponse> isoLibrary(Account account, String vpsId);

    /** {@code POST /api/v2/vps/{id}/iso/actions/mount}; a null {@code device} lets HostUp choose. */
    Uni<ApiResponse> mount(Account account, String vpsId, String isoId, String device);

    /**
     * {@code GET /api/v2/vps?limit={limit}} (and {@code &cursor=}, null for the first page): the VPSs
     * the key may use. It depends on no request: the probe that tells a broken key from a VPS that is
     * not the key's.
     */
    Uni<ApiResponse> vpsList(Account account, int limit, String cursor);
}
