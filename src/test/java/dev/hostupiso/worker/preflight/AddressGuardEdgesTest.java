package dev.hostupiso.worker.preflight;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The address guard at the edges of each range and of the allow list: the first and last address
 * inside, the public neighbours just outside, prefixes that end inside a byte, ports at their limits.
 * Addresses only, no DNS, no sockets.
 */
class AddressGuardEdgesTest {

    private final AddressGuard strict = AddressGuard.strict();

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0|private", "172.16.0.0|private", "192.168.0.0|private", "192.168.255.255|private",
            "100.64.0.0|shared address space (CGNAT)", "100.100.100.201|shared address space (CGNAT)",
            "169.254.0.0|link-local", "169.254.255.255|link-local", "169.254.169.253|link-local",
            "127.0.0.0|loopback", "0.255.255.255|unspecified", "192.0.0.255|IETF protocol assignment",
            "192.0.2.255|documentation", "198.51.100.255|documentation", "203.0.113.0|documentation",
            "198.18.0.0|benchmarking", "198.19.255.255|benchmarking", "224.0.0.0|multicast",
            "240.0.0.0|reserved", "255.255.255.254|reserved", "feff::1|site-local (deprecated)", "fdff::1|unique-local",
            "fe80::|link-local", "ff00::|multicast", "::|unspecified", "::2|IPv4-compatible (deprecated)"})
    void theEdgesOfEachRangeAreInside(String address, String category) throws Exception {
        assertThat(strict.blocked("origin.example", InetAddress.getByName(address), 443)).contains(category);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9.255.255.255", "11.0.0.0", "126.255.255.255", "128.0.0.0", "1.0.0.0", "169.255.0.1",
            "192.167.255.255", "192.0.1.1", "192.0.3.1", "198.17.255.255", "198.20.0.0", "198.51.99.1", "198.51.101.1",
            "203.0.112.1", "203.0.114.1", "223.255.255.255"})
    void theirPublicNeighboursPass(String address) throws Exception {
        assertThat(AddressGuard.category(InetAddress.getByName(address))).as(address).isEmpty();
    }

    @Test
    void embeddedFormsOfAnyRangeAreJudgedByTheirIpv4Address() throws Exception {
        assertThat(AddressGuard.category(v6("64:ff9b::c612:1"))).contains("benchmarking (NAT64)");
        assertThat(AddressGuard.category(v6("2002:e000:1::"))).contains("multicast (6to4)");
        assertThat(AddressGuard.category(v6("::ffff:0:a9fe:a9fe"))).contains("cloud metadata (IPv4-translated)");
    }

    @Test
    void aPrefixThatEndsInsideAByteCoversExactlyItsAddresses() throws Exception {
        AddressGuard guard = AddressGuard.allowing(List.of("10.16.0.0/12", "fd00:aa00::/23"));
        assertThat(guard.blocked("x", InetAddress.getByName("10.16.0.0"), 80)).isEmpty();
        assertThat(guard.blocked("x", InetAddress.getByName("10.31.255.255"), 80)).isEmpty();
        assertThat(guard.blocked("x", InetAddress.getByName("10.15.255.255"), 80)).contains("private");
        assertThat(guard.blocked("x", InetAddress.getByName("10.32.0.0"), 80)).contains("private");
        assertThat(guard.blocked("x", InetAddress.getByName("fd00:aa00::1"), 80)).isEmpty();
        assertThat(guard.blocked("x", InetAddress.getByName("fd00:abff::1"), 80)).as("the 23rd bit is the last compared").isEmpty();
        assertThat(guard.blocked("x", InetAddress.getByName("fd00:a9ff::1"), 80)).contains("unique-local");
        assertThat(guard.blocked("x", InetAddress.getByName("fd00:ac00::1"), 80)).contains("unique-local");
    }

    @Test
    void wholeFamiliesAndSingleAddresses() throws Exception {
        AddressGuard all4 = AddressGuard.allowing(List.of("0.0.0.0/0"));
        assertThat(all4.blocked("x", InetAddress.getByName("10.0.0.1"), 80)).isEmpty();
        assertThat(all4.blocked("x", InetAddress.getByName("::1"), 80)).as("an IPv4 range never covers IPv6").contains("loopback");
        AddressGuard one = AddressGuard.allowing(List.of("10.0.0.1/32", "::1/128"));
        assertThat(one.blocked("x", InetAddress.getByName("10.0.0.1"), 80)).isEmpty();
        assertThat(one.blocked("x", InetAddress.getByName("10.0.0.0"), 80)).contains("private");
        assertThat(one.blocked("x", InetAddress.getByName("::1"), 80)).isEmpty();
        assertThatThrownBy(() -> AddressGuard.allowing(List.of("10.0.0.0/-1"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AddressGuard.allowing(List.of("[1.2.3]"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPrefixWithoutAnAddressIsRefusedNotTakenForAHostName() {
        assertThatThrownBy(() -> AddressGuard.allowing(List.of("/16"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'/16'");
    }

    @Test
    void portsFromOneTo65535() throws Exception {
        assertThatCode(() -> AddressGuard.allowing(List.of("h:1", "h:65535", "127.0.0.1:1", "[::1]:65535"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> AddressGuard.allowing(List.of("h:65536"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AddressGuard.allowing(List.of("[::1]:0"))).isInstanceOf(IllegalArgumentException.class);
        AddressGuard guard = AddressGuard.allowing(List.of("127.0.0.1:1", "[::1]:65535", "", "  "));
        assertThat(guard.blocked("x", InetAddress.getByName("127.0.0.1"), 1)).isEmpty();
        assertThat(guard.blocked("x", InetAddress.getByName("127.0.0.1"), 2)).contains("loopback");
        assertThat(guard.blocked("x", InetAddress.getByName("::1"), 65535)).isEmpty();
        assertThat(guard.blocked("x", InetAddress.getByName("::1"), 65534)).contains("loopback");
        assertThat(guard.blocked("x", InetAddress.getByName("::2"), 65535)).as("the entry is one address").isPresent();
    }

    @Test
    void aNamedHostNeedsAHostName() throws Exception {
        AddressGuard guard = AddressGuard.allowing(List.of("mirror.internal", "fd00::1"));
        assertThat(guard.blocked(null, InetAddress.getByName("10.9.9.9"), 443)).contains("private");
        assertThat(guard.blocked("mirror.internal", InetAddress.getByName("8.8.8.8"), 443)).isEmpty();
        assertThat(guard.blocked("other.internal", InetAddress.getByName("fd00::1"), 1)).as("a bare IPv6 entry, any port").isEmpty();
        assertThat(guard.blocked("other.internal", InetAddress.getByName("fd00::2"), 1)).contains("unique-local");
    }

    @Test
    void literalsAreStrictDottedQuadsOrIpv6() {
        assertThat(AddressGuard.literal("255.255.255.255")).isPresent();
        assertThat(AddressGuard.literal("0.0.0.0")).isPresent();
        assertThat(AddressGuard.literal("1.2.3")).isEmpty();
        assertThat(AddressGuard.literal("1.2.3.4.5")).isEmpty();
        assertThat(AddressGuard.literal("::ffff:1.2.3.4")).isPresent();
        assertThat(AddressGuard.literal("[1.2.3.4]")).isPresent();
        assertThat(AddressGuard.literal("::g")).isEmpty();
        assertThat(AddressGuard.literal(":::")).isEmpty();
    }

    private static InetAddress v6(String literal) throws Exception {
        InetAddress a = InetAddress.getByName(literal);
        return a instanceof Inet6Address ? a : Inet6Address.getByAddress(null, mapped(a.getAddress()), -1);
    }

    private static byte[] mapped(byte[] v4) {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(v4, 0, b, 12, 4);
        return b;
    }
}
