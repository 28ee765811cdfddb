package dev.hostupiso.worker.wire;

import dev.hostupiso.worker.wire.TransportException.Kind;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.impl.NoStackTraceTimeoutException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;

/** Failures before the request left are told from failures after (what a non-idempotent call needs). */
class TransportExceptionTest {

    @Test
    void failuresBeforeSendingAreToldFromFailuresAfter() {
        assertThat(TransportException.classify(new ConnectException("Connection refused"))).isEqualTo(Kind.CONNECT_FAILED);
        assertThat(TransportException.classify(new ConnectTimeoutException("connection timed out"))).isEqualTo(Kind.CONNECT_TIMEOUT);
        assertThat(TransportException.classify(new NoStackTraceTimeoutException(
                "The timeout of 30000 ms has been exceeded when getting a connection to localhost:1"))).isEqualTo(Kind.CONNECT_TIMEOUT);
        assertThat(TransportException.classify(new NoStackTraceTimeoutException(
                "The timeout period of 30000ms has been exceeded while executing POST /x for server localhost:1")))
                .isEqualTo(Kind.TIMEOUT_AFTER_SEND);
        assertThat(TransportException.classify(new HttpClosedException("Connection was closed"))).isEqualTo(Kind.CLOSED_AFTER_SEND);
        assertThat(TransportException.classify(new IOException("Connection reset by peer"))).isEqualTo(Kind.CLOSED_AFTER_SEND);
        TransportException te = new TransportException(Endpoint.FROM_URL, Kind.CONNECT_FAILED, new ConnectException("x"));
        assertThat(te.mayHaveBeenSent()).isFalse();
        assertThat(te.getMessage()).contains("before sending");
        assertThat(new TransportException(Endpoint.FROM_URL, Kind.TIMEOUT_AFTER_SEND, new IOException("x")).isTimeout()).isTrue();
    }
}
