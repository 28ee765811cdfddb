package dev.hostupiso.worker.wire;

/**
 * How a request ended.
 *
 * @param isoId          the mountable {@code available[].id}, when completed
 * @param alreadyExisted from-url answered 200: the ISO was in the library already
 * @param fromUrlCalls   from-url calls made (retries included)
 * @param polls          job polls made
 * @param apiCalls       every HostUp call the request cost, by endpoint
 * @param resolvedUrl    the URL submitted to HostUp when the preflight followed redirects to it, redacted like a
 *                       log line ({@code https://host/…/file.iso?…}): outcomes carry no credentials or signed tokens
 * @param preflight      what the preflight found, absent when it is off
 * @param mounted        the mount made after the ISO was resolved, when the request asked for one
 * @param error          why it failed, when failed
 */
public record JobResult(boolean completed, String isoId, String jobId, boolean alreadyExisted, int fromUrlCalls,
                        int polls, ApiCalls apiCalls, String resolvedUrl, PreflightReport preflight, Mounted mounted,
                        JobError error) {

}
