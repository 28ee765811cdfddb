package dev.hostupiso.worker.wire;

import java.util.List;
import java.util.Optional;

/**
 * An error answer from HostUp, read from whichever shape it came in: RFC 7807 problem details, the
 * older {@code {error, message, retryAfter}} body, or something that is not JSON at all (a proxy's
 * HTML page); the HostUp adapter reads it. The worker branches on {@link #code()}, never on prose. Every text is cut to its
 * {@link Bounds} limit on construction, so a hostile body cannot reach a log line or an outcome whole.
 *
 * @param legacyRetryAfterSeconds {@code retryAfter} of the older 429 body, when no header carried it
 */
public record Problem(int status, String code, String title, String detail, List<FieldError> errors,
                      Optional<String> upstreamRequestId, Optional<Long> legacyRetryAfterSeconds) {

    public Problem {
        code = Bounds.truncate(code, Bounds.CODE);
        title = Bounds.truncate(title, Bounds.TITLE);
        detail = Bounds.truncate(detail, Bounds.DETAIL);
        errors = Bounds.fieldErrors(errors);
        upstreamRequestId = Optional.ofNullable(upstreamRequestId).flatMap(o -> o).map(id -> Bounds.truncate(id, Bounds.UPSTREAM_REQUEST_ID));
    }
}
