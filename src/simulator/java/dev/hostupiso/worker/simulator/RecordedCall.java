package dev.hostupiso.worker.simulator;

import java.time.Instant;

/**
 * One HTTP call the simulator received, as recorded when it answered. Never contains the API key.
 *
 * @param at            arrival time, by the simulator's clock
 * @param method        HTTP method, upper case
 * @param path          request path without the query string
 * @param endpoint      the endpoint matched by path and method, or {@code null} (unknown route, wrong method)
 * @param vpsId         the VPS the call concerned (from the path, or the polled job's VPS), or {@code null}
 * @param jobId         the polled job id (JOB calls), or {@code null}
 * @param status        HTTP status answered
 * @param authenticated whether a known, accepted API key was presented
 * @param body          request body as UTF-8 text ({@code ""} when empty)
 * @param client        the request's {@code User-Agent} ({@code ""} without one): which instance of a client sent it,
 *                      when it says so, as the worker does
 */
public record RecordedCall(Instant at, String method, String path, Endpoint endpoint, String vpsId, String jobId,
                           int status, boolean authenticated, String body, String client) {

    /** A call recorded without its {@code User-Agent}. */
    public RecordedCall(Instant at, String method, String path, Endpoint endpoint, String vpsId, String jobId,
                        int status, boolean authenticated, String body) {
        this(at, method, path, endpoint, vpsId, jobId, status, authenticated, body, "");
    }
}
