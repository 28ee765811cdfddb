package dev.hostupiso.worker.wire;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * Makes a URL safe to log. Download links carry credentials and signed tokens in the userinfo, the
 * query, the fragment and in path segments ({@code /dl/<token>/ubuntu.iso}), so the log form keeps
 * only scheme, host and port, plus the last path segment when it looks like a file name:
 * {@code https://host/…/ubuntu.iso}. Everything else becomes {@code …}.
 */
public final class UrlRedactor {

    /**
     * A plain file name: a stem and a short extension starting with a letter ({@code .iso},
     * {@code .img}, {@code .qcow2}, {@code .gz}), so that a signed JWT-like segment does not pass.
     */
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]{0,126}\\.[A-Za-z][A-Za-z0-9]{0,4}");
    static final String UNPARSEABLE = "<unparseable url>";

    private UrlRedactor() {
    }

    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        URI u;
        try {
            u = new URI(url);
        } catch (Exception e) {
            return UNPARSEABLE;
        }
        if (u.getScheme() == null || u.getHost() == null) {
            return UNPARSEABLE;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(u.getScheme()).append("://").append(u.getHost());
        if (u.getPort() >= 0) {
            sb.append(':').append(u.getPort());
        }
        String path = u.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            String last = path.substring(path.lastIndexOf('/') + 1);
            boolean hiddenBefore = path.lastIndexOf('/') > 0;
            if (FILE_NAME.matcher(last).matches()) {
                sb.append(hiddenBefore ? "/…/" : "/").append(last);
            } else {
                sb.append("/…");
            }
        }
        if (u.getRawQuery() != null) {
            sb.append("?…"); // that there was a query helps reading logs; its content never
        }
        return sb.toString();
    }

    /** A redirect chain for a log line or a reason: each URL redacted, joined by arrows. */
    public static String redactChain(java.util.List<String> chain) {
        return String.join(" → ", chain.stream().map(UrlRedactor::redact).toList());
    }
}
