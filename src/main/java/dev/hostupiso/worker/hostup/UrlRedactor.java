package dev.hostupiso.worker.hostup;

import java.net.URI;

/**
 * Makes a URL safe to log: drops userinfo, query and fragment, where download links carry
 * credentials and signed tokens.
 */
public final class UrlRedactor {

    private UrlRedactor() {
    }

    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI u = new URI(url);
            if (u.getHost() == null) {
                return "<unparseable url>";
            }
            StringBuilder sb = new StringBuilder();
            sb.append(u.getScheme()).append("://").append(u.getHost());
            if (u.getPort() >= 0) {
                sb.append(':').append(u.getPort());
            }
            if (u.getRawPath() != null) {
                sb.append(u.getRawPath());
            }
            if (u.getRawQuery() != null) {
                sb.append("?…");
            }
            return sb.toString();
        } catch (Exception e) {
            return "<unparseable url>";
        }
    }
}
