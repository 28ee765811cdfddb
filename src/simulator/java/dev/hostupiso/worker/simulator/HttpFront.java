package dev.hostupiso.worker.simulator;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP side: a JDK server on a loopback port that reads each request, has the {@link Router} answer it and
 * writes the answer (now, later, or not at all), then records the call.
 */
final class HttpFront {

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    /** Answers sent later (late answers, stalls) without holding a request thread. */
    private final ScheduledExecutorService later;
    private final Clock clock;
    private final CallLog log;
    private final AccessGate gate;
    private final Router router;
    private volatile boolean closed;

    HttpFront(int port, int threads, Clock clock, CallLog log, AccessGate gate, Router router) throws IOException {
        this.clock = clock;
        this.log = log;
        this.gate = gate;
        this.router = router;
        this.later = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "hostup-sim-later"));
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> daemon(r, "hostup-sim-" + n.incrementAndGet()));
        this.executor.allowCoreThreadTimeOut(true);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        this.server.createContext("/", this::handle);
        this.server.setExecutor(executor);
        this.server.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Stops at once; in-flight (e.g. delayed) calls are abandoned. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        executor.shutdownNow();
        later.shutdownNow();
    }

    private void handle(HttpExchange ex) {
        boolean answerLater = false;
        try {
            long s = log.next();
            Instant at = clock.instant();
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = ex.getRequestURI().getRawPath();
            Call c = new Call(s, at, clock, ex.getRequestMethod().toUpperCase(Locale.ROOT),
                    path == null ? "/" : path, body, ex.getRequestHeaders());
            c.query = ex.getRequestURI().getRawQuery();
            Reply r = answerOf(c);
            if (r.holdFor() != null && !closed) {
                later.schedule(() -> answer(ex, c, r), r.holdFor().toNanos(), TimeUnit.NANOSECONDS);
                answerLater = true;
            } else {
                answer(ex, c, r);
            }
        } catch (IOException | RuntimeException ignored) {
            // client went away or server closing
        } finally {
            if (!answerLater) {
                ex.close();
            }
        }
    }

    private Reply answerOf(Call c) {
        try {
            return router.process(c);
        } catch (RuntimeException e) {
            return ProblemRenderer.problem(c, 500, "internal_error",
                    "The simulator failed: " + e.getClass().getSimpleName());
        }
    }

    private void answer(HttpExchange ex, Call c, Reply r) {
        try (ex) {
            log.record(c, r.dropped() ? 0 : r.status());
            if (r.dropped()) {
                return; // closing an exchange before its head is sent closes the connection: no answer at all
            }
            Headers h = ex.getResponseHeaders();
            h.set("X-Request-Id", c.requestId);
            gate.rateHeaders(c, h);
            if (r.contentType() != null) {
                h.set("Content-Type", r.contentType());
            }
            for (Map.Entry<String, String> e : c.extraHeaders) {
                h.add(e.getKey(), e.getValue());
            }
            byte[] b = r.body() == null ? new byte[0] : r.body();
            ex.sendResponseHeaders(r.status(), b.length == 0 ? -1 : b.length);
            if (b.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(b);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // client went away (e.g. timed out on a delayed answer) or server closing
        }
    }
}
