package dev.hostupiso.worker.preflight;

import dev.hostupiso.worker.config.PreflightMode;
import dev.hostupiso.worker.job.PreflightResult;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hop's timeout stops every request of the hop, also the GET fallback whose connection is still
 * being made when the timeout strikes: it must never be sent once the connection comes. The origin is
 * a raw socket on 127.0.0.1 whose accept queue is kept full, so the GET's connect waits for the
 * kernel's SYN retry (1 s later), which falls after the hop's timeout and before the connect timeout.
 */
class HopTimeoutTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** One ordinary probe first: the client's first request loads classes, which under load can take longer than a hop. */
    private void warmUp() throws Exception {
        var server = vertx.createHttpServer().requestHandler(r -> r.response().putHeader("Content-Length", "1").end())
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        UrlPreflight warm = new UrlPreflight(vertx, new PreflightSettings(PreflightMode.RESOLVE, 5, Duration.ofSeconds(20),
                AddressGuard.allowing(List.of("127.0.0.1:" + server.actualPort())), PreflightSettings.HOSTUP_MAX_BYTES),
                host -> { throw new AssertionError("no name to resolve"); });
        assertThat(warm.check("http://127.0.0.1:" + server.actualPort() + "/w.iso").await().atMost(Duration.ofSeconds(30)))
                .isInstanceOf(PreflightResult.Passed.class);
        warm.close();
        server.close();
    }

    @Test
    void aGetStillConnectingWhenTheHopTimesOutIsNeverSent() throws Exception {
        warmUp();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        List<String> requestLines = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 1, loopback)) {
            int port = server.getLocalPort();
            long start = System.nanoTime();
            Thread origin = new Thread(() -> serve(server, loopback, port, requestLines, start), "stalling-origin");
            origin.setDaemon(true);
            origin.start();
            UrlPreflight preflight = new UrlPreflight(vertx, new PreflightSettings(PreflightMode.RESOLVE, 5,
                    Duration.ofMillis(3000), AddressGuard.allowing(List.of("127.0.0.1:" + port)),
                    PreflightSettings.HOSTUP_MAX_BYTES), host -> { throw new AssertionError("no name to resolve"); });
            try {
                PreflightResult r = preflight.check("http://127.0.0.1:" + port + "/x.iso").await().atMost(Duration.ofSeconds(10));
                assertThat(r).isEqualTo(new PreflightResult.Skipped("timeout", List.of()));
                origin.join(10_000);
            } finally {
                preflight.close();
            }
        }
        assertThat(requestLines).as("the HEAD only: the GET was cancelled before its connection came")
                .containsExactly("HEAD /x.iso HTTP/1.1");
    }

    /**
     * Answers HEAD 405 2.6 s into the hop (its timeout is 3 s) with the accept queue full, then drains
     * it and records what comes next.
     */
    private static void serve(ServerSocket server, InetAddress loopback, int port, List<String> lines, long start) {
        try (Socket head = server.accept();
             Socket queued1 = new Socket(loopback, port);
             Socket queued2 = new Socket(loopback, port)) {
            lines.add(readLine(head));
            Thread.sleep(Math.max(0, 2600 - (System.nanoTime() - start) / 1_000_000));
            OutputStream out = head.getOutputStream();
            out.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(200); // the GET's first SYN meets the full queue
            server.accept().close(); // drain the two placeholders: the SYN retry will be accepted
            server.accept().close();
            server.setSoTimeout(4000);
            try (Socket late = server.accept()) {
                late.setSoTimeout(1500);
                String line = readLine(late);
                if (line != null && !line.startsWith("read error")) { // a connection that sends nothing is fine
                    lines.add(line);
                }
            } catch (SocketTimeoutException noConnection) {
                // nothing came at all: fine too
            }
        } catch (Exception e) {
            lines.add("origin error: " + e);
        }
    }

    private static String readLine(Socket s) throws Exception {
        try {
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        } catch (SocketTimeoutException | java.net.SocketException e) {
            return "read error: " + e;
        }
    }
}
