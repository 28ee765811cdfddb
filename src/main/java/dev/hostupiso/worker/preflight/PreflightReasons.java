package dev.hostupiso.worker.preflight;

import dev.hostupiso.worker.wire.UrlRedactor;
import org.jboss.logging.Logger;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Why the preflight could not see a URL's origin, as a requester reads it (in the outcome's
 * {@code preflight.reason}) and as the operator does (in the log). A requester must not learn how
 * internal names resolve: a name the worker may not probe (its address is internal and not allowed)
 * and a name that does not resolve read the same; the log says which, and the address's category.
 */
final class PreflightReasons {

    /** The outcome's reason for a host the worker does not probe: unknown, or an address it may not reach. */
    static final String HOST_NOT_PROBED = "host not probed (unknown, or not an address the worker may reach)";

    private static final Logger LOG = Logger.getLogger(PreflightReasons.class);

    private PreflightReasons() {
    }

    /** The requester's reason for {@code f}; logs the operator's. */
    static String unreachable(Throwable f, String host) {
        if (f instanceof BlockedAddress b) {
            LOG.infof("URL preflight: %s has an address the worker may not probe (%s); see ISO_URL_PREFLIGHT_ALLOW",
                    UrlRedactor.redact(host), b.getMessage());
            return HOST_NOT_PROBED;
        }
        if (f instanceof UnknownHostException) {
            LOG.debugf("URL preflight: unknown host %s", UrlRedactor.redact(host));
            return HOST_NOT_PROBED;
        }
        String message = String.valueOf(f.getMessage()).toLowerCase(Locale.ROOT);
        if (f instanceof TimeoutException || f instanceof io.netty.handler.timeout.TimeoutException
                || message.contains("timeout") || message.contains("timed out")) {
            return "timeout";
        }
        if (f instanceof ConnectException) {
            return "connection refused";
        }
        if (f instanceof SSLException || f.getCause() instanceof SSLException) {
            return "TLS error";
        }
        return "unreachable: " + f.getClass().getSimpleName();
    }

    /** The guard refused an address; its message is the address's category (for the log only). */
    static final class BlockedAddress extends RuntimeException {
        BlockedAddress(String category) {
            super(category, null, false, false);
        }
    }
}
