package dev.hostupiso.worker.simulator;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * A loopback TCP relay in front of a {@link HostUpSimulator} that rewrites each answer's {@code Date} header to the
 * real time plus {@code skew}: the JDK's HTTP server always writes the real time there, and a client that measures
 * {@code Retry-After} dates against the server's {@code Date} must cope with a server clock that is off.
 * Handles the simulator's answers only (HTTP/1.1, a fixed {@code Content-length}, keep-alive).
 */
public final class DateSkewRelay implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final Clock skewed;
    private volatile boolean closed;

    private DateSkewRelay(int targetPort, Duration skew) throws IOException {
        this.targetPort = targetPort;
        this.skewed = Clock.offset(Clock.systemUTC(), skew);
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "date-skew-relay");
        t.setDaemon(true);
        t.start();
    }

    /** Relays to {@code sim}, with {@code Date} headers {@code skew} off the real clock. */
    public static DateSkewRelay start(HostUpSimulator sim, Duration skew) {
        try {
            return new DateSkewRelay(sim.port(), skew);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start the Date skew relay", e);
        }
    }

    /** {@code http://127.0.0.1:<port>}: use it as the API base URL. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket target = new Socket();
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                target.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                daemon(() -> pipeRequests(client, target));
                daemon(() -> pipeResponses(target, client));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "date-skew-relay-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void pipeRequests(Socket client, Socket target) {
        try (client; target) {
            client.getInputStream().transferTo(target.getOutputStream());
        } catch (IOException ignored) {
            // either side went away; closing both tells the other
        }
    }

    private void pipeResponses(Socket target, Socket client) {
        try (client; target) {
            InputStream in = new BufferedInputStream(target.getInputStream());
            OutputStream out = client.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return; // the simulator closed the connection (e.g. a reset fault): so does the relay
                }
                long length = 0;
                StringBuilder rewritten = new StringBuilder();
                for (String line : head.split("\r\n")) {
                    String lower = line.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("date:")) {
                        line = "Date: " + HostUpSimulator.httpDate(skewed.instant());
                    } else if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(line.substring(15).trim());
                    }
                    rewritten.append(line).append("\r\n");
                }
                rewritten.append("\r\n");
                out.write(rewritten.toString().getBytes(StandardCharsets.ISO_8859_1));
                byte[] buf = new byte[8192];
                while (length > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, length));
                    if (n < 0) {
                        return;
                    }
                    out.write(buf, 0, n);
                    length -= n;
                }
                out.flush();
            }
        } catch (IOException | RuntimeException ignored) {
            // either side went away
        }
    }

    /** The status line and headers without the blank line, or null at end of stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1
                    : c == '\r' ? 1 : 0;
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.substring(0, s.length() - 4);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
