package dev.hostupiso.worker.preflight;

import java.net.InetAddress;
import java.util.Optional;

/**
 * What kind of special address an address is: loopback, private, carrier-grade NAT, link-local,
 * unique-local, cloud metadata, unspecified, multicast, broadcast, reserved, in any of their IPv6
 * disguises (IPv4-mapped, IPv4-compatible, NAT64, 6to4). Pure: address bytes only, never DNS.
 */
final class AddressCategory {

    /** The category of the cloud providers' instance metadata and host agent endpoints. */
    static final String METADATA = "cloud metadata";

    private AddressCategory() {
    }

    /** The category of {@code address}, empty for a public one. */
    static Optional<String> of(InetAddress address) {
        byte[] b = address.getAddress();
        return Optional.ofNullable(b.length == 4 ? v4(b, 0) : v6(b));
    }

    /** Whether {@code category} (as {@link #of} names it, an IPv6 form included) is a metadata endpoint. */
    static boolean isMetadata(String category) {
        return category != null && category.startsWith(METADATA);
    }

    /**
     * Instance metadata and host agents: 169.254.169.254 (AWS, Google Cloud, Azure, Oracle, DigitalOcean,
     * OpenStack...), 169.254.170.2 (AWS ECS task metadata), 168.63.129.16 (Azure WireServer: a public
     * address that answers only inside Azure), 100.100.100.200 (Alibaba Cloud), 192.0.0.192 (Oracle Cloud).
     */
    private static boolean metadataV4(int a0, int a1, int a2, int a3) {
        return a0 == 169 && a1 == 254 && (a2 == 169 && a3 == 254 || a2 == 170 && a3 == 2)
                || a0 == 168 && a1 == 63 && a2 == 129 && a3 == 16
                || a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200
                || a0 == 192 && a1 == 0 && a2 == 0 && a3 == 192;
    }

    private static String v4(byte[] b, int off) {
        int a0 = b[off] & 0xff;
        int a1 = b[off + 1] & 0xff;
        int a2 = b[off + 2] & 0xff;
        int a3 = b[off + 3] & 0xff;
        if (a0 == 255 && a1 == 255 && a2 == 255 && a3 == 255) {
            return "broadcast";
        }
        if (metadataV4(a0, a1, a2, a3)) {
            return METADATA;
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
        if ((w0 == 0xfd00 && w1 == 0x0ec2 || w0 == 0xfd20 && w1 == 0x00ce) && zero(b, 4, 14) && word(b, 14) == 0x254) {
            return METADATA; // AWS (fd00:ec2::254), Google Cloud (fd20:ce::254)
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
}
