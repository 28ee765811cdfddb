package dev.hostupiso.worker.wire;

/** A call that got no HTTP answer: connection refused or reset, or the request timeout passed. */
public final class TransportException extends RuntimeException {

    /** How far the call got: what decides whether HostUp may have acted on it. */
    public enum Kind {
        /** No connection was made (refused, unknown host, connect timeout, none free in time): nothing was sent. */
        CONNECT_FAILED(false, false),
        /** Connecting timed out, or no pooled connection came free in time: nothing was sent. */
        CONNECT_TIMEOUT(true, false),
        /** The request was (or may have been) sent and no answer came in time. */
        TIMEOUT_AFTER_SEND(true, true),
        /** The connection broke after the request was (or may have been) sent. */
        CLOSED_AFTER_SEND(false, true);

        private final boolean timeout;
        private final boolean maybeSent;

        Kind(boolean timeout, boolean maybeSent) {
            this.timeout = timeout;
            this.maybeSent = maybeSent;
        }
    }

    private final Kind kind;

    public TransportException(Endpoint endpoint, Kind kind, Throwable cause) {
        // The cause's message never holds the token: Vert.x reports host/port and timings only.
        super((kind.timeout ? "timeout" : "connection error") + (kind.maybeSent ? " after sending" : " before sending")
                + " calling " + endpoint.tag() + ": " + cause.getMessage(), cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isTimeout() {
        return kind.timeout;
    }

    /** Whether the request may have reached HostUp: a non-idempotent call cannot be repeated blindly then. */
    public boolean mayHaveBeenSent() {
        return kind.maybeSent;
    }

    /**
     * Tells a failure before the request left (connect refused or timed out, unknown host, no
     * pooled connection in time) from one after (response timeout, connection closed or reset).
     * Anything not recognised counts as after: the safe side for a non-idempotent call.
     */
    public static Kind classify(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            String type = c.getClass().getName();
            String message = String.valueOf(c.getMessage());
            if (type.equals("io.netty.channel.ConnectTimeoutException") || c instanceof java.net.SocketTimeoutException
                    && message.contains("connect")) {
                return Kind.CONNECT_TIMEOUT;
            }
            if (type.endsWith("NoStackTraceTimeoutException") && message.contains("getting a connection")) {
                return Kind.CONNECT_TIMEOUT; // Vert.x: the pool gave no connection in time
            }
            if (c instanceof java.net.ConnectException || c instanceof java.net.UnknownHostException
                    || c instanceof java.net.NoRouteToHostException) {
                return Kind.CONNECT_FAILED;
            }
        }
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof java.util.concurrent.TimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
                return Kind.TIMEOUT_AFTER_SEND;
            }
        }
        return Kind.CLOSED_AFTER_SEND;
    }
}
