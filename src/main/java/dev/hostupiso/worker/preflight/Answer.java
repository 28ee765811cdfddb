package dev.hostupiso.worker.preflight;

import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What one exchange of the URL preflight told: headers only. */
record Answer(HttpMethod method, int status, String location, Long contentLength, Long rangeTotal) {

    private static final Pattern CONTENT_RANGE_TOTAL = Pattern.compile("bytes\\s+(?:\\d+-\\d+|\\*)/(\\d{1,19})\\s*",
            Pattern.CASE_INSENSITIVE);
    /**
     * The answers to HEAD that a one-byte GET may ask again: a refusal of the method itself. Nothing
     * else, because a GET can spend a single-use link (a 403 of a URL presigned for GET only is left to HostUp).
     */
    static final Set<Integer> ASK_AGAIN_WITH_GET = Set.of(405, 501);

    static Answer of(HttpMethod method, HttpClientResponse r) {
        return new Answer(method, r.statusCode(), r.getHeader("Location"), number(r.getHeader("Content-Length")),
                rangeTotal(r.getHeader("Content-Range")));
    }

    /** The origin refused HEAD itself (405, 501): only then is the URL asked again with a one-byte GET. */
    boolean needsGet() {
        return method == HttpMethod.HEAD && ASK_AGAIN_WITH_GET.contains(status);
    }

    /** The file's size: a Content-Range total, else a full answer's Content-Length. */
    Long size() {
        if (rangeTotal != null) {
            return rangeTotal;
        }
        return status == 206 ? null : contentLength;
    }

    static Long number(String s) {
        if (s == null || !s.strip().matches("\\d{1,19}")) {
            return null;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Long rangeTotal(String s) {
        if (s == null) {
            return null;
        }
        Matcher m = CONTENT_RANGE_TOTAL.matcher(s);
        return m.matches() ? number(m.group(1)) : null;
    }
}
