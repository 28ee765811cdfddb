package dev.hostupiso.worker.wire;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the worker's own look at the request's URL found before from-url.
 *
 * @param status    {@code passed} (the origin answered the URL itself), {@code resolved} (redirects
 *                  were followed; the outcome's {@code resolvedUrl} is what was submitted),
 *                  {@code skipped} (the worker could not see the origin, which HostUp may still
 *                  reach: the URL was submitted as given) or {@code refused} (the origin answered
 *                  something HostUp would refuse; the outcome failed)
 * @param reason    why it was skipped or refused, when it was
 * @param redirects redirects followed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PreflightReport(String status, String reason, Integer redirects) {

    public static final String PASSED = "passed";
    public static final String RESOLVED = "resolved";
    public static final String SKIPPED = "skipped";
    public static final String REFUSED = "refused";
}
