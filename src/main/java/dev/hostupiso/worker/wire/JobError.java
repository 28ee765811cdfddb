package dev.hostupiso.worker.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Why a request failed, as published in the failed event's {@code error}. HostUp's own
 * {@code code} passes through; the worker's own codes are {@code invalid_request} (local
 * validation), {@code job_failed}, {@code job_timeout}, {@code job_lost}, {@code iso_not_listed},
 * {@code invalid_response}, {@code connection_error}, {@code timeout}, {@code mount_failed},
 * {@code unknown_account}, {@code account_not_allowed}, {@code worker_error}, and from the URL preflight {@code url_redirects},
 * {@code url_not_found} and {@code file_too_large}.
 * Every part is cut to its {@link Bounds} limit on construction.
 *
 * @param httpStatus HostUp's status, null when the error is the worker's own
 * @param retryable  whether sending the same request again later may succeed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobError(String code, String title, String detail, Integer httpStatus, boolean retryable,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FieldError> errors, String upstreamRequestId) {

    public JobError {
        // Bounded here, whoever builds it, so no HostUp answer can make an outcome or ledger record too large.
        code = Bounds.truncate(code, Bounds.CODE);
        title = Bounds.truncate(title, Bounds.TITLE);
        detail = Bounds.truncate(detail, Bounds.DETAIL);
        errors = Bounds.fieldErrors(errors); // absent in JSON when empty
        upstreamRequestId = Bounds.truncate(upstreamRequestId, Bounds.UPSTREAM_REQUEST_ID);
    }

    public static JobError of(String code, String title, String detail, boolean retryable) {
        return new JobError(code, title, detail, null, retryable, List.of(), null);
    }

    public static JobError fromProblem(Problem p, boolean retryable) {
        return new JobError(p.code(), p.title(), p.detail(), p.status(), retryable, p.errors(),
                p.upstreamRequestId().orElse(null));
    }

    /**
     * The ISO is in the library but the mount failed with {@code cause}: HostUp's title, detail,
     * status, request id and {@code errors[]} are kept; HostUp's own code leads {@code errors[]} as
     * {@code {"pointer":"","code":<HostUp's code>}}, so consumers can branch on it.
     */
    public static JobError mountFailed(JobError cause, String isoId) {
        List<FieldError> errors = new java.util.ArrayList<>();
        errors.add(new FieldError("", "HostUp's error code; " + isoId + " is in the library but not mounted", cause.code()));
        if (cause.errors() != null) {
            errors.addAll(cause.errors());
        }
        return new JobError("mount_failed", cause.title(), cause.detail(), cause.httpStatus(), cause.retryable(), errors,
                cause.upstreamRequestId());
    }

    /**
     * This error, for a request whose download was (or may have been) queued and may still complete at HostUp: not
     * retryable, because sending the request again while it runs would start a second download, and saying where
     * the file will show.
     */
    public JobError downloadMayStillComplete(String filename) {
        return new JobError(code, title, (detail == null ? "" : detail + ". ") + "A download of " + filename + " was queued (or may have been) and"
                + " may still complete: look for it in the VPS's ISO library before sending the request again", httpStatus,
                false, errors, upstreamRequestId);
    }

    /** The request names an account the worker holds no key for. */
    public static JobError unknownAccount(String account) {
        return of("unknown_account", "Unknown account", "The worker holds no HostUp API key for account " + account
                + " (HOSTUP_ACCOUNTS_<NAME>_TOKEN or a file in HOSTUP_ACCOUNTS_DIR); a key added later is picked up"
                + " without a restart, so the request may be sent again then", true);
    }

    /**
     * The request names an account whose key requests from {@code topic} may not spend: a topic is
     * bound to one account (a team's topic to the team, the shared topic to the default account).
     */
    public static JobError accountNotAllowed(String requested, String topic, String bound) {
        String detail = "Requests read from topic " + topic + " may spend only account " + bound + "'s key; this one names "
                + requested + ". Send it on that account's own request topic";
        return new JobError("account_not_allowed", "Account not allowed on this topic", detail, null, false,
                List.of(new FieldError("/account", detail, "account_not_allowed")), null);
    }

    /** The job itself failed on HostUp's side; {@code detail} is what the job said. */
    public static JobError jobFailed(String detail, String upstreamRequestId) {
        return new JobError("job_failed", "The download job failed", detail, null, false, List.of(), upstreamRequestId);
    }
}
