package dev.hostupiso.worker.testsupport;

import dev.hostupiso.worker.preflight.Resolver;
import dev.hostupiso.worker.preflight.StubResolver;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.util.List;

/**
 * Replaces the system resolver in every {@code @QuarkusTest}: the URL preflight is on there (as in
 * production), and the tests' URLs ({@code https://releases.example.org/…}) must not cause a DNS
 * query. Names a test maps resolve to loopback; every other name is an unknown host, so the
 * preflight skips it and the request goes on as before.
 */
@ApplicationScoped
public class LoopbackResolver implements Resolver {

    private static final StubResolver NAMES = new StubResolver();

    /** Makes {@code name} resolve to the loopback {@code address} in the running worker. */
    public static void map(String name, String address) {
        NAMES.map(name, address);
    }

    @Override
    public Uni<List<InetAddress>> resolve(String host) {
        return NAMES.resolve(host);
    }
}
