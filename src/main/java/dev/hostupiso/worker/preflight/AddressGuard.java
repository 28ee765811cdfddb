package dev.hostupiso.worker.preflight;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which addresses the URL preflight may connect to: none that reaches into the worker's own
 * network (loopback, private, carrier-grade NAT, link-local, unique-local, cloud metadata,
 * unspecified, multicast, broadcast, reserved), in any of their IPv6 disguises (IPv4-mapped,
 * IPv4-compatible, NAT64, 6to4), unless the operator's allow list names them. Pure: it looks at
 * the address bytes only, never at DNS.
 */
public final class AddressGuard {

    /** IPv4 dotted quad, strictly four decimal parts: other numeric forms go through the resolver and are checked there. */
    static final Pattern DOTTED_QUAD = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern HOST_PORT = Pattern.compile("([^:\\[\\]]+)(?::(\\d{1,5}))?");
    private static final Pattern BRACKETED = Pattern.compile("\\[([0-9A-Fa-f:.]+)](?::(\\d{1,5}))?");

    private record Cidr(byte[] network, int prefix, Integer port) {
        boolean contains(byte[] address, int p) {
            if (address.length != network.length || (port != null && port != p)) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private record Name(String host, Integer port) {
    }

    private final List<Cidr> cidrs;
    private final List<Name> names;

    private AddressGuard(List<Cidr> cidrs, List<Name> names) {
        this.cidrs = List.copyOf(cidrs);
        this.names = List.copyOf(names);
    }

    /** The guard with no exception: every special address is blocked. */
    public static AddressGuard strict() {
        return new AddressGuard(List.of(), List.of());
    }

    /**
     * A guard that lets through what {@code entries} name: CIDRs ({@code 10.20.0.0/16},
     * {@code fd00::/8}), addresses or host names, each optionally with a port
     * ({@code 127.0.0.1:8080}, {@code [::1]:8080}, {@code mirror.internal:8443}).
     *
     * @throws IllegalArgumentException naming the first entry that is none of these
     */
    public static AddressGuard allowing(List<String> entries) {
        List<Cidr> cidrs = new ArrayList<>();
        List<Name> names = new ArrayList<>();
        for (String raw : entries) {
            String e = raw.strip();
            if (e.isEmpty()) {
                continue;
            }
            try {
                parseEntry(raw, e, cidrs, names);
            } catch (NumberFormatException ex) {
                throw bad(raw);
            }
        }
        return new AddressGuard(cidrs, names);
    }

    /** One allowlist entry: a CIDR, a bracketed or bare IPv6 address, or an IPv4 address or host name with an optional port. */
    private static void parseEntry(String raw, String e, List<Cidr> cidrs, List<Name> names) {
        int slash = e.indexOf('/');
        if (slash >= 0) { // "/16" alone is a CIDR without its address, refused, not a host name
            byte[] net = literal(e.substring(0, slash)).orElseThrow(() -> bad(raw)).getAddress();
            int prefix = Integer.parseInt(e.substring(slash + 1));
            if (prefix < 0 || prefix > net.length * 8) {
                throw bad(raw);
            }
            cidrs.add(new Cidr(net, prefix, null));
            return;
        }
        Matcher bracketed = BRACKETED.matcher(e);
        if (bracketed.matches()) {
            byte[] a = literal(bracketed.group(1)).orElseThrow(() -> bad(raw)).getAddress();
            cidrs.add(new Cidr(a, a.length * 8, port(bracketed.group(2), raw)));
            return;
        }
        if (e.indexOf(':') != e.lastIndexOf(':')) { // a bare IPv6 address
            byte[] a = literal(e).orElseThrow(() -> bad(raw)).getAddress();
            cidrs.add(new Cidr(a, a.length * 8, null));
            return;
        }
        Matcher hp = HOST_PORT.matcher(e);
        if (!hp.matches()) {
            throw bad(raw);
        }
        Integer port = port(hp.group(2), raw);
        Optional<InetAddress> ip = DOTTED_QUAD.matcher(hp.group(1)).matches() ? literal(hp.group(1)) : Optional.empty();
        if (ip.isPresent()) {
            cidrs.add(new Cidr(ip.get().getAddress(), 32, port));
        } else {
            names.add(new Name(normalize(hp.group(1)), port));
        }
    }

    /**
     * Why the preflight must not connect to {@code address} (port {@code port}) for the URL host
     * {@code host}, or empty when it may: a public address, or one the allow list names.
     */
    public Optional<String> blocked(String host, InetAddress address, int port) {
        Optional<String> category = category(address);
        if (category.isEmpty()) {
            return category;
        }
        byte[] bytes = address.getAddress();
        String name = host == null ? null : normalize(host);
        boolean allowed = cidrs.stream().anyMatch(c -> c.contains(bytes, port))
                || names.stream().anyMatch(n -> n.host().equals(name) && (n.port() == null || n.port() == port));
        return allowed ? Optional.empty() : category;
    }

    /** What kind of special address {@code address} is (e.g. {@code loopback}), empty for a public one. */
    public static Optional<String> category(InetAddress address) {
        byte[] b = address.getAddress();
        return Optional.ofNullable(b.length == 4 ? v4(b, 0) : v6(b));
    }

    private static String v4(byte[] b, int off) {
        int a0 = b[off] & 0xff;
        int a1 = b[off + 1] & 0xff;
        int a2 = b[off + 2] & 0xff;
        int a3 = b[off + 3] & 0xff;
        if (a0 == 255 && a1 == 255 && a2 == 255 && a3 == 255) {
            return "broadcast";
        }
        if ((a0 == 169 && a1 == 254 && a2 == 169 && a3 == 254) || (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200)) {
            return "cloud metadata";
        }
        if (a0 == 0) {
            return "unspecified";
        }
        if (a0 == 127) {
            return "loopback";
        }
        if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
            return "private";
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return "shared address space (CGNAT)";
        }
        if (a0 == 169 && a1 == 254) {
            return "link-local";
        }
        return v4Reserved(a0, a1, a2);
    }

    /** IPv4 ranges reserved for protocols, documentation, benchmarks, multicast and the future. */
    private static String v4Reserved(int a0, int a1, int a2) {
        if (a0 == 192 && a1 == 0 && a2 == 0) {
            return "IETF protocol assignment";
        }
        if ((a0 == 192 && a1 == 0 && a2 == 2) || (a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113)) {
            return "documentation";
        }
        if (a0 == 198 && (a1 & 0xfe) == 18) {
            return "benchmarking";
        }
        if ((a0 & 0xf0) == 224) {
            return "multicast";
        }
        if ((a0 & 0xf0) == 240) {
            return "reserved";
        }
        return null;
    }

    private static String v6(byte[] b) {
        if (zero(b, 0, 10)) {
            if ((b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                return embedded("IPv4-mapped", b, 12); // ::ffff:a.b.c.d
            }
            if (b[10] == 0 && b[11] == 0) {
                if (zero(b, 12, 15) && b[15] == 0) {
                    return "unspecified";
                }
                if (zero(b, 12, 15) && b[15] == 1) {
                    return "loopback";
                }
                return "IPv4-compatible (deprecated)"; // ::a.b.c.d is not routable at all
            }
        }
        if (zero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && b[10] == 0 && b[11] == 0) {
            return embedded("IPv4-translated", b, 12); // ::ffff:0:a.b.c.d
        }
        return v6Prefixed(b);
    }

    /** The IPv6 ranges told by their leading words (NAT64, 6to4, Teredo, unique-local, link-local, …). */
    private static String v6Prefixed(byte[] b) {
        int w0 = word(b, 0);
        int w1 = word(b, 2);
        if (w0 == 0x64 && w1 == 0xff9b && zero(b, 4, 12)) {
            return embedded("NAT64", b, 12); // 64:ff9b::a.b.c.d
        }
        if (w0 == 0x64 && w1 == 0xff9b && word(b, 4) == 1) {
            return "NAT64 local use";
        }
        if (w0 == 0x2002) {
            return embedded("6to4", b, 2);
        }
        if (w0 == 0x2001 && w1 == 0) {
            return "Teredo";
        }
        if (w0 == 0x2001 && w1 == 0x0db8) {
            return "documentation";
        }
        if (w0 == 0x0100 && zero(b, 2, 8)) {
            return "discard-only";
        }
        return v6Local(b, w0, w1);
    }

    private static String v6Local(byte[] b, int w0, int w1) {
        if (w0 == 0xfd00 && w1 == 0x0ec2 && zero(b, 4, 14) && word(b, 14) == 0x254) {
            return "cloud metadata";
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return "unique-local";
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
            return "link-local";
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
            return "site-local (deprecated)";
        }
        if ((b[0] & 0xff) == 0xff) {
            return "multicast";
        }
        return null;
    }

    /** The category of an IPv4 address carried inside an IPv6 one; such a form of a public address is public. */
    private static String embedded(String form, byte[] b, int off) {
        String inner = v4(b, off);
        return inner == null ? null : inner + " (" + form + ")";
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static int word(byte[] b, int off) {
        return (b[off] & 0xff) << 8 | b[off + 1] & 0xff;
    }

    /**
     * The address written in {@code host} when it is an IP literal (a strict IPv4 dotted quad, or
     * IPv6 with or without brackets), without any DNS lookup; empty for a name.
     */
    public static Optional<InetAddress> literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Matcher quad = DOTTED_QUAD.matcher(h);
        byte[] bytes = null;
        if (quad.matches()) {
            bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int part = Integer.parseInt(quad.group(i + 1));
                if (part > 255) {
                    return Optional.empty();
                }
                bytes[i] = (byte) part;
            }
        } else if (h.contains(":") && h.matches("[0-9A-Fa-f:.]+")) {
            try {
                // Only hex digits, colons and dots: InetAddress parses this as a literal, never a name.
                return Optional.of(InetAddress.getByName(h));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static Integer port(String s, String entry) {
        if (s == null) {
            return null;
        }
        int p = Integer.parseInt(s);
        if (p < 1 || p > 65535) {
            throw bad(entry);
        }
        return p;
    }

    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private static IllegalArgumentException bad(String entry) {
        return new IllegalArgumentException("ISO_URL_PREFLIGHT_ALLOW entry '" + entry
                + "' is neither a CIDR (10.0.0.0/8), an address nor a host name, optionally with :port");
    }
}
