package dev.hostupiso.worker.simulator;

import com.sun.net.httpserver.Headers;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One HTTP call as the simulator handles it: what came in, and what routing and the checks found out about it. */
final class Call {
    final long seq;
    final Instant at;
    final String requestId = HostUpSimulator.newId("req_");
    final String method;
    final String path;
    final byte[] body;
    final Headers requestHeaders;
    /** The raw query string, null when there is none. */
    String query;
    private final Clock clock;
    Endpoint endpoint;
    String vpsId;
    String jobId;
    boolean authenticated;
    /** The presented key's scopes; null if the key is unknown or missing. */
    java.util.Set<String> scopes;
    RateLimiter.Decision rate;
    final List<Map.Entry<String, String>> extraHeaders = new ArrayList<>();

    Call(long seq, Instant at, Clock clock, String method, String path, byte[] body, Headers requestHeaders) {
        this.seq = seq;
        this.clock = clock;
        this.at = at;
        this.method = method;
        this.path = path;
        this.body = body;
        this.requestHeaders = requestHeaders;
    }

    Instant now() {
        return clock.instant();
    }

    void header(String name, String value) {
        extraHeaders.add(Map.entry(name, value));
    }
}
