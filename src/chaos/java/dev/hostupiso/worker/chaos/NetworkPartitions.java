package dev.hostupiso.worker.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Silent network partitions on one machine: each worker slot runs in its own Linux network namespace, joined to the
 * host by three veth pairs: one carrying its broker traffic, one its HostUp traffic, and one the URL preflight's
 * traffic to the download origin (a third party: never cut, a worker cut off from HostUp still reaches it; the
 * origin listens on slot 0's address and the other namespaces have a host route to it). Addresses come from
 * 198.18.0.0/15 only (a /30 per link) and the namespaces have no route out. A cut drops every IPv4 packet on both
 * ends of a link (a {@code clsact} qdisc with a classic-BPF direct-action filter: no RST, no ICMP, connections and
 * reads just time out); a heal removes the filters, and what was queued meanwhile goes through. Needs root and
 * iproute2; {@link #unusable()} says why not when they are missing. {@link #close()} deletes everything it made.
 */
final class NetworkPartitions implements AutoCloseable {

    /** Drops IPv4 (ethertype 0x0800), lets anything else such as ARP pass. */
    static final String DROP_IPV4 = "4,40 0 0 4294963200,21 0 1 2048,6 0 0 2,6 0 0 0";

    /** What a cut separates a worker from. */
    enum Link { BROKER, HOSTUP }

    /** One worker slot's namespace: the host-side addresses it reaches the broker and HostUp at, and its own. */
    record Slot(String namespace, String brokerHost, String hostupHost, String workerAddress, String brokerVeth,
                String hostupVeth, String originHost) {
        String veth(Link link) {
            return link == Link.BROKER ? brokerVeth : hostupVeth;
        }
    }

    private final List<Slot> slots = new ArrayList<>();

    private NetworkPartitions() {
    }

    /** Why namespaces cannot be used here (not root, no iproute2, no clsact/bpf), or empty when they can. */
    static Optional<String> unusable() {
        String ns = "hiw-probe-" + ProcessHandle.current().pid();
        try {
            run("ip", "netns", "add", ns);
        } catch (Exception e) {
            return Optional.of("cannot create a network namespace (needs root and iproute2): " + e.getMessage());
        }
        String host = "hwp" + (ProcessHandle.current().pid() % 100000) + "h";
        try {
            run("ip", "link", "add", host, "type", "veth", "peer", "name", host.replace('h', 'n'));
            run("tc", "qdisc", "add", "dev", host, "clsact");
            run("tc", "filter", "add", "dev", host, "ingress", "pref", "1", "bpf", "da", "bytecode", DROP_IPV4);
            return Optional.empty();
        } catch (Exception e) {
            return Optional.of("veth pairs or tc clsact/bpf are not available: " + e.getMessage());
        } finally {
            quietly("ip", "link", "del", host);
            quietly("ip", "netns", "del", ns);
        }
    }

    /** Makes one namespace per slot; {@code run} keeps concurrent runs apart (names and addresses). */
    static NetworkPartitions create(int count, long run) throws Exception {
        NetworkPartitions n = new NetworkPartitions();
        try {
            for (int k = 0; k < count; k++) {
                n.slots.add(n.slot(run, k));
            }
            return n;
        } catch (Exception e) {
            n.close();
            throw e;
        }
    }

    private Slot slot(long run, int k) throws Exception {
        int block = (int) ((run % 100) * 5 + k); // a /24 per slot, all inside 198.18.0.0/15
        String prefix = "198." + (18 + block / 256) + "." + (block % 256) + ".";
        String ns = "hiw-" + run + "-" + k;
        String tag = "hw" + (run % 10000) + "s" + k;
        run("ip", "netns", "add", ns);
        Slot s = new Slot(ns, prefix + "1", prefix + "5", prefix + "2", tag + "bh", tag + "hh", prefix + "9");
        slots.add(s); // so that close() removes it even if the links fail below
        link(ns, tag + "bh", tag + "bn", prefix + "1", prefix + "2");
        link(ns, tag + "hh", tag + "hn", prefix + "5", prefix + "6");
        link(ns, tag + "oh", tag + "on", prefix + "9", prefix + "10");
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        slots.remove(s);
        return s;
    }

    /** A veth pair, {@code hostAddr}/30 on the host, {@code nsAddr}/30 in the namespace; no other route. */
    private static void link(String ns, String host, String peer, String hostAddr, String nsAddr) throws Exception {
        run("ip", "link", "add", host, "type", "veth", "peer", "name", peer);
        run("ip", "link", "set", peer, "netns", ns);
        run("ip", "addr", "add", hostAddr + "/30", "dev", host);
        run("ip", "link", "set", host, "up");
        run("ip", "netns", "exec", ns, "ip", "addr", "add", nsAddr + "/30", "dev", peer);
        run("ip", "netns", "exec", ns, "ip", "link", "set", peer, "up");
    }

    Slot slot(int k) {
        return slots.get(k);
    }

    int size() {
        return slots.size();
    }

    /** The address the download origin listens on: slot 0's origin link, host side. */
    String originHost() {
        return slots.get(0).originHost();
    }

    /**
     * Lets every namespace reach {@link #originHost()} over its own origin link (the host takes a packet for any
     * of its addresses on any link, and answers over the link it came in on).
     */
    void routeToOrigin() throws Exception {
        String origin = originHost();
        for (int k = 1; k < slots.size(); k++) {
            Slot s = slots.get(k);
            String peer = s.hostupVeth().substring(0, s.hostupVeth().length() - 2) + "on";
            run("ip", "netns", "exec", s.namespace(), "ip", "route", "add", origin + "/32", "via", s.originHost(),
                    "dev", peer);
        }
    }

    /** The command that runs a program inside slot {@code k}'s namespace. */
    List<String> exec(int k) {
        return List.of("ip", "netns", "exec", slots.get(k).namespace());
    }

    /** Drops every packet between slot {@code k} and {@code link}'s host side, both ways. */
    void cut(int k, Link link) throws Exception {
        Slot s = slots.get(k);
        String host = s.veth(link);
        String peer = host.substring(0, host.length() - 1) + "n";
        run("tc", "qdisc", "add", "dev", host, "clsact");
        run("tc", "filter", "add", "dev", host, "ingress", "pref", "1", "bpf", "da", "bytecode", DROP_IPV4);
        run("ip", "netns", "exec", s.namespace(), "tc", "qdisc", "add", "dev", peer, "clsact");
        run("ip", "netns", "exec", s.namespace(), "tc", "filter", "add", "dev", peer, "ingress", "pref", "1", "bpf",
                "da", "bytecode", DROP_IPV4);
    }

    /** Lets packets through again. */
    void heal(int k, Link link) {
        Slot s = slots.get(k);
        String host = s.veth(link);
        quietly("tc", "qdisc", "del", "dev", host, "clsact");
        quietly("ip", "netns", "exec", s.namespace(), "tc", "qdisc", "del", "dev",
                host.substring(0, host.length() - 1) + "n", "clsact");
    }

    @Override
    public void close() {
        for (Slot s : slots) {
            quietly("ip", "netns", "del", s.namespace()); // takes the namespace's veth ends, and so their peers
            quietly("ip", "link", "del", s.brokerVeth());
            quietly("ip", "link", "del", s.hostupVeth());
            quietly("ip", "link", "del", s.hostupVeth().substring(0, s.hostupVeth().length() - 2) + "oh");
        }
        slots.clear();
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (Exception ignored) {
            // already gone
        }
    }
}
