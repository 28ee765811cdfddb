package dev.hostupiso.worker.hostup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny HTTP forward proxy on 127.0.0.1 for tests: it records the head of every request it is sent
 * ({@code CONNECT host:port} or an absolute-URI request) and relays the bytes both ways. It only
 * connects to loopback targets; anything else is answered 403, so a test cannot reach the network.
 */
final class LoopbackProxy implements AutoCloseable {

    /** The request line and the headers of one request the proxy was sent. */
    record Head(String requestLine, List<String> headers) {

        String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return headers.stream().filter(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(h -> h.substring(prefix.length()).strip()).findFirst().orElse(null);
        }
    }

    private final ServerSocket server;
    private final List<Head> heads = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    LoopbackProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "loopback-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The heads received so far, in arrival order. */
    List<Head> heads() {
        return List.copyOf(heads);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread relay = new Thread(() -> serve(client), "loopback-proxy-conn");
                relay.setDaemon(true);
                relay.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try {
            InputStream in = client.getInputStream();
            byte[] rawHead = readHead(in);
            List<String> lines = Arrays.asList(new String(rawHead, StandardCharsets.ISO_8859_1).split("\r\n"));
            Head head = new Head(lines.get(0), lines.subList(1, lines.size()).stream().filter(l -> !l.isEmpty()).toList());
            heads.add(head);
            String[] parts = head.requestLine().split(" ");
            boolean connect = parts[0].equals("CONNECT");
            URI target = URI.create(connect ? "tcp://" + parts[1] : parts[1]);
            InetAddress address = InetAddress.getByName(target.getHost());
            if (!address.isLoopbackAddress()) {
                client.getOutputStream().write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                client.close();
                return;
            }
            Socket upstream = new Socket();
            sockets.add(upstream);
            upstream.connect(new InetSocketAddress(address, target.getPort()), 5_000);
            if (connect) {
                client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            } else {
                upstream.getOutputStream().write(rawHead); // absolute-form is valid for an origin server too
            }
            Thread back = new Thread(() -> pipe(upstream, client), "loopback-proxy-back");
            back.setDaemon(true);
            back.start();
            pipe(client, upstream);
        } catch (IOException | RuntimeException e) {
            closeQuietly(client);
        }
    }

    /** Reads up to and including the blank line that ends a request head. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside the request head");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toByteArray();
    }

    private static void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // one side closed: close both
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(LoopbackProxy::closeQuietly);
    }
}
