package dev.hostupiso.worker.preflight;

import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK's resolver (the system's DNS). Its lookup blocks and cannot be interrupted, and a lookup
 * that times out keeps its thread until the system gives up; so lookups run on a small pool of their
 * own ({@value #THREADS} threads, at most {@value #QUEUE} waiting), never on an event loop or the
 * shared worker pool. When the pool is full a lookup fails at once, as an unknown host: the URL is
 * submitted unprobed, as HostUp would see it anyway.
 */
@DefaultBean
@ApplicationScoped
public class SystemResolver implements Resolver {

    static final int THREADS = 4;
    static final int QUEUE = 64;

    /** A blocking lookup: {@link InetAddress#getAllByName} in production. */
    @FunctionalInterface
    interface Lookup {
        InetAddress[] all(String host) throws UnknownHostException;
    }

    private final Lookup lookup;
    private final ExecutorService pool;

    public SystemResolver() {
        this(InetAddress::getAllByName, THREADS, QUEUE);
    }

    SystemResolver(Lookup lookup, int threads, int queue) {
        this.lookup = lookup;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "preflight-dns-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        ((ThreadPoolExecutor) pool).allowCoreThreadTimeOut(true);
    }

    @Override
    public Uni<List<InetAddress>> resolve(String host) {
        return Uni.createFrom().emitter(emitter -> {
            try {
                pool.execute(() -> {
                    try {
                        emitter.complete(List.of(lookup.all(host)));
                    } catch (UnknownHostException e) {
                        emitter.fail(e);
                    } catch (RuntimeException e) {
                        emitter.fail(e);
                    }
                });
            } catch (RejectedExecutionException full) {
                emitter.fail(new UnknownHostException("name resolution busy: " + THREADS + " lookups running, "
                        + QUEUE + " waiting"));
            }
        });
    }

    @PreDestroy
    void close() {
        pool.shutdownNow();
    }
}
