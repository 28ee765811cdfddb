package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.wire.Endpoint;
import io.vertx.core.http.HttpMethod;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP request to HostUp as {@link HostUpApi} sends it: which call it is, its method, its target (a path
 * below the API's base URL, or a URL on the API's own origin, as a job's poll URL may be) and its JSON body
 * (null for none). Each call's shape is written where the call is made ({@link HostUpCalls}, {@link KeyProbe}).
 */
public record HostUpRequest(Endpoint endpoint, HttpMethod method, String target, String jsonBody) {

    public static HostUpRequest get(Endpoint endpoint, String target) {
        return new HostUpRequest(endpoint, HttpMethod.GET, target, null);
    }

    public static HostUpRequest post(Endpoint endpoint, String path, String jsonBody) {
        return new HostUpRequest(endpoint, HttpMethod.POST, path, jsonBody);
    }

    /** {@code value} encoded as one path segment or query value. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
