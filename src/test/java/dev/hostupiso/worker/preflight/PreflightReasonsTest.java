package dev.hostupiso.worker.preflight;

import dev.hostupiso.worker.preflight.PreflightReasons.BlockedAddress;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import static dev.hostupiso.worker.preflight.PreflightReasons.HOST_NOT_PROBED;
import static dev.hostupiso.worker.preflight.PreflightReasons.unreachable;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link PreflightReasons}: what a requester is told when the origin could not be seen. */
class PreflightReasonsTest {

    @Test
    void aBlockedAddressAndAnUnknownNameReadTheSame() {
        assertThat(unreachable(new BlockedAddress("private"), "intranet.example")).isEqualTo(HOST_NOT_PROBED);
        assertThat(unreachable(new UnknownHostException("intranet.example"), "intranet.example")).isEqualTo(HOST_NOT_PROBED);
        assertThat(HOST_NOT_PROBED).doesNotContain("private");
    }

    @Test
    void timeoutsOfEveryKindAreATimeout() {
        assertThat(unreachable(new TimeoutException(), "h")).isEqualTo("timeout");
        assertThat(unreachable(io.netty.handler.timeout.ReadTimeoutException.INSTANCE, "h")).isEqualTo("timeout");
        assertThat(unreachable(new IOException("Connect Timeout"), "h")).isEqualTo("timeout");
        assertThat(unreachable(new IOException("connection timed out: h/1.2.3.4:443"), "h")).isEqualTo("timeout");
    }

    @Test
    void refusedConnectionsTlsErrorsAndTheRestAreNamed() {
        assertThat(unreachable(new ConnectException("Connection refused"), "h")).isEqualTo("connection refused");
        assertThat(unreachable(new SSLHandshakeException("bad certificate"), "h")).isEqualTo("TLS error");
        assertThat(unreachable(new IOException("wrapped", new SSLException("bad record")), "h")).isEqualTo("TLS error");
        assertThat(unreachable(new IOException("reset by peer"), "h")).isEqualTo("unreachable: IOException");
        assertThat(unreachable(new IllegalStateException(), "h")).as("no message")
                .isEqualTo("unreachable: IllegalStateException");
    }
}
