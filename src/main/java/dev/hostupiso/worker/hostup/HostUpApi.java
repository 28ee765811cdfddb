package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.TransportException;
import io.smallrye.mutiny.Uni;

/**
 * HostUp's HTTP API, one request at a time, with the key of one {@link Account}. It answers the raw
 * {@link ApiResponse} (any status) and fails only on a transport error ({@link TransportException}), or with
 * {@link IllegalArgumentException} for a target outside the API's origin; {@link HostUpClient} is the real one,
 * tests drive the job steps with a scripted one. It knows no call: each call's path and body are built where
 * the call is made ({@link HostUpRequest}).
 */
public interface HostUpApi {

    Uni<ApiResponse> send(Account account, HostUpRequest request);
}
