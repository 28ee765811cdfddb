package dev.hostupiso.worker.preflight;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SSRF policy on addresses alone: no DNS, no sockets. */
class AddressGuardTest {

    private final AddressGuard strict = AddressGuard.strict();

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1|loopback", "127.0.0.2|loopback", "127.255.255.254|loopback",
            "10.0.0.1|private", "10.255.255.255|private", "172.16.0.1|private", "172.31.255.255|private",
            "192.168.1.1|private", "100.64.0.1|shared address space (CGNAT)", "100.127.255.255|shared address space (CGNAT)",
            "169.254.1.1|link-local", "169.254.169.254|cloud metadata", "100.100.100.200|cloud metadata",
            "0.0.0.0|unspecified", "0.1.2.3|unspecified", "224.0.0.1|multicast", "239.255.255.255|multicast",
            "255.255.255.255|broadcast", "240.0.0.1|reserved", "192.0.0.8|IETF protocol assignment",
            "192.0.2.1|documentation", "198.51.100.1|documentation", "203.0.113.1|documentation", "198.18.0.1|benchmarking",
            "::|unspecified", "::1|loopback", "fe80::1|link-local", "febf::1|link-local", "fc00::1|unique-local",
            "fd12:3456::1|unique-local", "fd00:ec2::254|cloud metadata", "ff02::1|multicast", "fec0::1|site-local (deprecated)",
            "2001:db8::1|documentation", "2001:0:4136:e378::1|Teredo", "64:ff9b:1::1|NAT64 local use", "100::1|discard-only",
            "::127.0.0.1|IPv4-compatible (deprecated)", "::8.8.8.8|IPv4-compatible (deprecated)",
            "64:ff9b::7f00:1|loopback (NAT64)", "64:ff9b::a9fe:a9fe|cloud metadata (NAT64)", "64:ff9b::a00:1|private (NAT64)",
            "2002:7f00:1::|loopback (6to4)", "2002:c0a8:101::1|private (6to4)",
            "::ffff:0:7f00:1|loopback (IPv4-translated)"})
    void specialAddressesAreBlocked(String address, String category) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        assertThat(AddressGuard.category(a)).contains(category);
        assertThat(strict.blocked("origin.example", a, 80)).contains(category);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"127.0.0.1|loopback", "10.1.2.3|private", "169.254.169.254|cloud metadata",
            "100.64.0.1|shared address space (CGNAT)", "192.168.0.1|private", "0.0.0.0|unspecified", "8.8.8.8|"})
    void ipv4MappedFormsAreJudgedByTheirIpv4Address(String v4, String category) throws Exception {
        // Built as an Inet6Address on purpose: InetAddress.getByName would turn ::ffff:a.b.c.d into an Inet4Address.
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(InetAddress.getByName(v4).getAddress(), 0, mapped, 12, 4);
        InetAddress a = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(a).isInstanceOf(Inet6Address.class);
        if (category == null) {
            assertThat(AddressGuard.category(a)).isEmpty();
        } else {
            assertThat(AddressGuard.category(a)).contains(category + " (IPv4-mapped)");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.63.255.255", "100.128.0.1",
            "192.169.0.1", "169.253.0.1", "2a00:1450:4001:80b::200e", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1"})
    void publicAddressesPass(String address) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        assertThat(AddressGuard.category(a)).isEmpty();
        assertThat(strict.blocked("origin.example", a, 8080)).as("any port of a public address").isEmpty();
    }

    @Test
    void theAllowListOpensExactlyWhatItNames() throws Exception {
        AddressGuard guard = AddressGuard.allowing(List.of("127.0.0.1:8080", " 10.20.0.0/16", "[::1]:9000", "mirror.internal",
                "Cache.Internal:8443", "fd00::/8"));
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        assertThat(guard.blocked("x", lo, 8080)).isEmpty();
        assertThat(guard.blocked("x", lo, 8081)).as("another port of an allowed address").contains("loopback");
        assertThat(guard.blocked("x", InetAddress.getByName("127.0.0.2"), 8080)).contains("loopback");
        assertThat(guard.blocked("x", InetAddress.getByName("10.20.255.1"), 22)).isEmpty();
        assertThat(guard.blocked("x", InetAddress.getByName("10.21.0.1"), 80)).contains("private");
        assertThat(guard.blocked("x", InetAddress.getByName("::1"), 9000)).isEmpty();
        assertThat(guard.blocked("x", InetAddress.getByName("::1"), 80)).contains("loopback");
        assertThat(guard.blocked("mirror.internal", InetAddress.getByName("10.9.9.9"), 443)).isEmpty();
        assertThat(guard.blocked("MIRROR.internal.", InetAddress.getByName("10.9.9.9"), 80)).isEmpty();
        assertThat(guard.blocked("cache.internal", InetAddress.getByName("10.9.9.9"), 8443)).isEmpty();
        assertThat(guard.blocked("cache.internal", InetAddress.getByName("10.9.9.9"), 443)).contains("private");
        assertThat(guard.blocked("x", InetAddress.getByName("fd12::1"), 80)).isEmpty();
        assertThat(guard.blocked("x", InetAddress.getByName("fe80::1"), 80)).contains("link-local");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "::1/129", "host:0", "host:70000", "a:b:c", "[zz::1]", "10.0.0.0/x", "300.1.1.1/8"})
    void aMalformedEntryFailsTheStartWithItsName(String entry) {
        assertThatThrownBy(() -> AddressGuard.allowing(List.of(entry))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(entry).hasMessageContaining("ISO_URL_PREFLIGHT_ALLOW");
    }

    @Test
    void literalsAreParsedWithoutDns() {
        assertThat(AddressGuard.literal("127.0.0.1")).isPresent();
        assertThat(AddressGuard.literal("[::1]")).isPresent();
        assertThat(AddressGuard.literal("releases.example.org")).isEmpty();
        assertThat(AddressGuard.literal("256.1.1.1")).isEmpty();
        assertThat(AddressGuard.literal("deadbeef")).isEmpty();
    }

    private static InetAddress mapped(String v4) throws Exception {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(InetAddress.getByName(v4).getAddress(), 0, b, 12, 4);
        return Inet6Address.getByAddress(null, b, -1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"168.63.129.16", "169.254.169.254", "169.254.170.2", "100.100.100.200", "192.0.0.192",
            "fd00:ec2::254", "fd20:ce::254", "64:ff9b::a83f:8110", "2002:a83f:8110::1"})
    void cloudMetadataAddressesAreBlockedInEveryForm(String address) throws Exception {
        // Literals only: InetAddress parses them without any lookup, and nothing here opens a socket.
        InetAddress a = InetAddress.getByName(address);
        assertThat(AddressGuard.category(a)).hasValueSatisfying(c -> assertThat(c).startsWith("cloud metadata"));
        assertThat(strict.blocked("origin.example", a, 80)).isPresent();
    }

    @Test
    void azuresWireServerIsBlockedAlsoAsAnIpv4MappedAddress() throws Exception {
        assertThat(AddressGuard.category(mapped("168.63.129.16"))).contains("cloud metadata (IPv4-mapped)");
        assertThat(AddressGuard.category(InetAddress.getByName("168.63.129.17"))).as("its neighbours are public").isEmpty();
    }

    @Test
    void aMetadataAddressIsAllowedOnlyByAnEntryNamingExactlyIt() throws Exception {
        InetAddress metadata = InetAddress.getByName("169.254.169.254");
        InetAddress linkLocal = InetAddress.getByName("169.254.1.1");
        AddressGuard range = AddressGuard.allowing(List.of("169.254.0.0/16", "metadata.example"));
        assertThat(range.blocked("x.example", linkLocal, 80)).isEmpty();
        assertThat(range.blocked("x.example", metadata, 80)).as("a range does not open the metadata endpoint").isPresent();
        assertThat(range.blocked("metadata.example", metadata, 80)).as("nor a name resolving to it").isPresent();
        assertThat(AddressGuard.allowing(List.of("169.254.169.254")).blocked("x.example", metadata, 80)).isEmpty();
    }

    @Test
    void anAllowedInternalAddressIsNotReachedThroughAPublicOriginsRedirectUnlessItsEntrySaysSo() throws Exception {
        InetAddress mirror = InetAddress.getByName("10.20.1.1");
        AddressGuard guard = AddressGuard.allowing(List.of("10.20.0.0/16", "mirror.internal"));
        assertThat(guard.blocked("10.20.1.1", mirror, 443, false)).as("the request's own host").isEmpty();
        assertThat(guard.blocked("mirror.internal", mirror, 443, false)).isEmpty();
        assertThat(guard.blocked("10.20.1.1", mirror, 443, true)).as("a public origin's redirect").contains("private");
        assertThat(guard.blocked("mirror.internal", mirror, 443, true)).contains("private");
        AddressGuard viaRedirect = AddressGuard.allowing(List.of("redirect:10.20.0.0/16", "REDIRECT: mirror.internal:443"));
        assertThat(viaRedirect.blocked("10.20.1.1", mirror, 443, true)).isEmpty();
        assertThat(viaRedirect.blocked("other.internal", mirror, 443, true)).isEmpty();
        assertThat(viaRedirect.blocked("mirror.internal", InetAddress.getByName("192.168.1.1"), 443, true)).isEmpty();
        assertThat(viaRedirect.blocked("mirror.internal", InetAddress.getByName("192.168.1.1"), 8443, true)).isPresent();
    }
}
