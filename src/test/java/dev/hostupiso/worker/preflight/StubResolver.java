package dev.hostupiso.worker.preflight;

import io.smallrye.mutiny.Uni;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A resolver that knows only the names it is told (loopback addresses) and answers "unknown host"
 * for every other one, so a test never sends a DNS query off the machine.
 */
public final class StubResolver implements Resolver {

    private final Map<String, List<InetAddress>> names = new ConcurrentHashMap<>();
    private final List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();

    public StubResolver map(String name, String... addresses) {
        List<InetAddress> list = new java.util.ArrayList<>();
        for (String a : addresses) {
            list.add(AddressGuard.literal(a).orElseThrow(() -> new IllegalArgumentException("not a literal: " + a)));
        }
        names.put(name.toLowerCase(java.util.Locale.ROOT), List.copyOf(list));
        return this;
    }

    /** Names looked up so far. */
    public List<String> asked() {
        return List.copyOf(asked);
    }

    @Override
    public Uni<List<InetAddress>> resolve(String host) {
        asked.add(host);
        List<InetAddress> known = names.get(host.toLowerCase(java.util.Locale.ROOT));
        return known == null ? Uni.createFrom().failure(new UnknownHostException(host + " (stub resolver)"))
                : Uni.createFrom().item(known);
    }
}
