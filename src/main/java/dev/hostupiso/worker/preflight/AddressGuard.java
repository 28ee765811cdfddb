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
 * network ({@link AddressCategory}), unless the operator's allow list names them. An allowed
 * internal address is reachable as a request's own host, not through a redirect from a public
 * origin, unless its entry says {@code redirect:}; a cloud metadata address only by an entry that
 * names exactly it, never by a wider range. Pure: it looks at the address bytes only, never at DNS.
 */
public final class AddressGuard {

    /** IPv4 dotted quad, strictly four decimal parts: other numeric forms go through the resolver and are checked there. */
    static final Pattern DOTTED_QUAD = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern HOST_PORT = Pattern.compile("([^:\\[\\]]+)(?::(\\d{1,5}))?");
    private static final Pattern BRACKETED = Pattern.compile("\\[([0-9A-Fa-f:.]+)](?::(\\d{1,5}))?");

    private record Cidr(byte[] network, int prefix, Integer port, boolean viaRedirect) {
        boolean exact() {
            return prefix == network.length * 8;
        }

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

    private record Name(String host, Integer port, boolean viaRedirect) {
    }

    /** The entry prefix that lets an allowed address be reached through a redirect from a public origin too. */
    static final String VIA_REDIRECT = "redirect:";

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
     * ({@code 127.0.0.1:8080}, {@code [::1]:8080}, {@code mirror.internal:8443}); prefixed with
     * {@code redirect:} also when a public origin redirects there.
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
            boolean viaRedirect = e.regionMatches(true, 0, VIA_REDIRECT, 0, VIA_REDIRECT.length());
            try {
                parseEntry(raw, viaRedirect ? e.substring(VIA_REDIRECT.length()).strip() : e, cidrs, names, viaRedirect);
            } catch (NumberFormatException ex) {
                throw bad(raw);
            }
        }
        return new AddressGuard(cidrs, names);
    }

    /** One allowlist entry: a CIDR, a bracketed or bare IPv6 address, or an IPv4 address or host name with an optional port. */
    private static void parseEntry(String raw, String e, List<Cidr> cidrs, List<Name> names, boolean viaRedirect) {
        int slash = e.indexOf('/');
        if (slash >= 0) { // "/16" alone is a CIDR without its address, refused, not a host name
            byte[] net = literal(e.substring(0, slash)).orElseThrow(() -> bad(raw)).getAddress();
            int prefix = Integer.parseInt(e.substring(slash + 1));
            if (prefix < 0 || prefix > net.length * 8) {
                throw bad(raw);
            }
            cidrs.add(new Cidr(net, prefix, null, viaRedirect));
            return;
        }
        Matcher bracketed = BRACKETED.matcher(e);
        if (bracketed.matches()) {
            byte[] a = literal(bracketed.group(1)).orElseThrow(() -> bad(raw)).getAddress();
            cidrs.add(new Cidr(a, a.length * 8, port(bracketed.group(2), raw), viaRedirect));
            return;
        }
        if (e.indexOf(':') != e.lastIndexOf(':')) { // a bare IPv6 address
            byte[] a = literal(e).orElseThrow(() -> bad(raw)).getAddress();
            cidrs.add(new Cidr(a, a.length * 8, null, viaRedirect));
            return;
        }
        Matcher hp = HOST_PORT.matcher(e);
        if (!hp.matches()) {
            throw bad(raw);
        }
        Integer port = port(hp.group(2), raw);
        Optional<InetAddress> ip = DOTTED_QUAD.matcher(hp.group(1)).matches() ? literal(hp.group(1)) : Optional.empty();
        if (ip.isPresent()) {
            cidrs.add(new Cidr(ip.get().getAddress(), 32, port, viaRedirect));
        } else {
            names.add(new Name(normalize(hp.group(1)), port, viaRedirect));
        }
    }

    /**
     * Why the preflight must not connect to {@code address} (port {@code port}) for the URL host
     * {@code host}, or empty when it may: a public address, or one the allow list names.
     */
    public Optional<String> blocked(String host, InetAddress address, int port) {
        return blocked(host, address, port, false);
    }

    /**
     * As {@link #blocked(String, InetAddress, int)}, for a hop that a public origin redirected to
     * when {@code redirectedFromPublic}: then only {@code redirect:} entries let an internal address through.
     */
    public Optional<String> blocked(String host, InetAddress address, int port, boolean redirectedFromPublic) {
        Optional<String> category = category(address);
        if (category.isEmpty()) {
            return category;
        }
        byte[] bytes = address.getAddress();
        boolean metadata = AddressCategory.isMetadata(category.get());
        String name = host == null ? null : normalize(host);
        boolean allowed = cidrs.stream().anyMatch(c -> c.contains(bytes, port) && (!metadata || c.exact())
                        && (c.viaRedirect() || !redirectedFromPublic))
                || !metadata && names.stream().anyMatch(n -> n.host().equals(name) && (n.port() == null || n.port() == port)
                        && (n.viaRedirect() || !redirectedFromPublic));
        return allowed ? Optional.empty() : category;
    }

    /** What kind of special address {@code address} is (e.g. {@code loopback}), empty for a public one. */
    public static Optional<String> category(InetAddress address) {
        return AddressCategory.of(address);
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
