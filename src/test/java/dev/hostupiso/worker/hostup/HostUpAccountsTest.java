package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.metrics.WorkerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The accounts registry: where team keys come from, how a rotated or removed key is picked up. */
class HostUpAccountsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkerMetrics metrics = new WorkerMetrics(registry);

    @TempDir
    Path dir;

    private Account account(String name, String token) {
        return new Account(name, token, new HostUpRateLimiterAccess().create(Clock.systemUTC(), metrics, null),
                new ApiKeyState(metrics, 3, name));
    }

    private HostUpAccounts registry(Map<String, String> configured, Optional<Path> keyDir) {
        return new HostUpAccounts(account(Account.DEFAULT, "default-key"), configured, keyDir, this::account, null, metrics);
    }

    @Test
    void teamKeysAreReadFromVariablesAndProperties() {
        Map<String, String> values = Map.of("HOSTUP_ACCOUNTS_TEAM_A_TOKEN", " key-a\n", "hostup.accounts.team-b.token", "key-b",
                "HOSTUP_ACCOUNTS_DIR", "/x", "HOSTUP_API_TOKEN", "d", "HOSTUP_ACCOUNTS_EMPTY_TOKEN", " ");
        Map<String, String> tokens = HostUpAccounts.configuredTokens(values.keySet(), n -> Optional.ofNullable(values.get(n)));
        assertThat(tokens).containsExactlyInAnyOrderEntriesOf(Map.of("team-a", "key-a", "team-b", "key-b"));
    }

    @Test
    void aMisnamedOrReservedTeamKeyStopsTheStart() {
        assertThatThrownBy(() -> HostUpAccounts.configuredTokens(List.of("HOSTUP_ACCOUNTS__TEAM_TOKEN"), n -> Optional.of("k")))
                .hasMessageContaining("does not name a valid account");
        assertThatThrownBy(() -> HostUpAccounts.configuredTokens(List.of("HOSTUP_ACCOUNTS_DEFAULT_TOKEN"), n -> Optional.of("k")))
                .hasMessageContaining("HOSTUP_API_TOKEN");
    }

    @Test
    void noAccountAndDefaultNameTheDefaultAccountAndUnknownOnesNone() {
        HostUpAccounts accounts = registry(Map.of("team-a", "key-a"), Optional.empty());
        assertThat(accounts.find(null)).containsSame(accounts.defaultAccount());
        assertThat(accounts.find("default")).containsSame(accounts.defaultAccount());
        assertThat(accounts.find("team-a")).map(Account::name).contains("team-a");
        assertThat(accounts.find("team-z")).isEmpty();
        assertThat(accounts.all()).extracting(Account::name).containsExactly("default", "team-a");
    }

    @Test
    void keyFilesAreReadTrimmedAndWinOverVariables() throws Exception {
        Files.writeString(dir.resolve("team-a"), "file-key-a\n");
        Files.writeString(dir.resolve("team-b"), "  file-key-b  ");
        Files.writeString(dir.resolve("..data"), "ignored");
        Files.writeString(dir.resolve("Not_An_Account"), "ignored");
        Files.writeString(dir.resolve("empty"), "\n");
        Files.createDirectory(dir.resolve("sub"));
        HostUpAccounts accounts = registry(Map.of("team-a", "env-key-a"), Optional.of(dir));
        assertThat(accounts.all()).extracting(Account::name).containsExactly("default", "team-a", "team-b");
        assertThat(accounts.find("team-a").orElseThrow().authorization()).isEqualTo("Bearer file-key-a");
        assertThat(accounts.find("team-b").orElseThrow().authorization()).isEqualTo("Bearer file-key-b");
    }

    @Test
    void aRotatedKeyIsUsedNextAndEndsItsAccountsHoldOnly() throws Exception {
        Files.writeString(dir.resolve("team-a"), "old");
        Files.writeString(dir.resolve("team-b"), "b");
        HostUpAccounts accounts = registry(Map.of(), Optional.of(dir));
        AtomicInteger changes = new AtomicInteger();
        accounts.onChange(changes::incrementAndGet);
        Account a = accounts.find("team-a").orElseThrow();
        Account b = accounts.find("team-b").orElseThrow();
        a.keyState().unauthorized();
        b.keyState().unauthorized();
        AtomicInteger woken = new AtomicInteger();
        a.keyState().whenAccepted(woken::incrementAndGet);

        Files.writeString(dir.resolve("team-a"), "new\n");
        accounts.reload();

        assertThat(accounts.find("team-a")).containsSame(a); // same limiter and key state, new key
        assertThat(a.authorization()).isEqualTo("Bearer new");
        assertThat(a.keyState().isRejected()).isFalse();
        assertThat(woken).hasValue(1);
        assertThat(b.keyState().hold()).contains(ApiKeyState.Reason.UNAUTHORIZED);
        assertThat(changes).as("the intake gate is told").hasValue(1);

        accounts.reload(); // unchanged file: nothing happens
        assertThat(changes).hasValue(1);
    }

    @Test
    void anAccountWhoseFileIsGoneIsNoLongerOfferedAndANewOneIs() throws Exception {
        Files.writeString(dir.resolve("team-a"), "a");
        HostUpAccounts accounts = registry(Map.of(), Optional.of(dir));
        Account before = accounts.find("team-a").orElseThrow();
        Files.delete(dir.resolve("team-a"));
        Files.writeString(dir.resolve("team-c"), "c");
        accounts.reload();
        assertThat(accounts.find("team-a")).isEmpty();
        assertThat(accounts.find("team-c")).isPresent();
        assertThat(before.authorization()).as("a job already running keeps the last key").isEqualTo("Bearer a");
    }

    @Test
    void aTeamAccountsWaitingCallsAreCountedAndAnnounced() {
        HostUpAccounts accounts = registry(Map.of("team-a", "a"), Optional.empty());
        AtomicInteger changes = new AtomicInteger();
        accounts.onChange(changes::incrementAndGet);
        Account a = accounts.find("team-a").orElseThrow();
        Runnable held = a.keyState().heldCall();
        Runnable parked = a.keyState().parkedCall();
        accounts.defaultAccount().keyState().parkedCall(); // the default account's waiting calls are not the teams'
        assertThat(accounts.teamCallsWaiting()).isEqualTo(2);
        assertThat(changes).hasValue(2);
        parked.run();
        held.run();
        parked.run(); // twice: counted once
        assertThat(accounts.teamCallsWaiting()).isZero();
    }

    private double kept(String account, String reason) {
        var counter = registry.find(WorkerMetrics.ACCOUNT_KEY_KEPT).tag("account", account).tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void anEmptyReadKeepsTheLastGoodKeyAndSaysSo() throws Exception {
        Files.writeString(dir.resolve("team-a"), "good");
        HostUpAccounts accounts = registry(Map.of("team-a", "env-key"), Optional.of(dir));
        Files.writeString(dir.resolve("team-a"), "  \n"); // a write caught half-way, or a Secret emptied by mistake
        accounts.reload();
        assertThat(accounts.find("team-a")).as("not removed").isPresent();
        assertThat(accounts.find("team-a").orElseThrow().authorization()).as("nor switched to the variable's key")
                .isEqualTo("Bearer good");
        assertThat(kept("team-a", "empty")).isEqualTo(1);
        Files.writeString(dir.resolve("team-a"), "better");
        accounts.reload();
        assertThat(accounts.find("team-a").orElseThrow().authorization()).isEqualTo("Bearer better");
    }

    @Test
    void oneUnreadableOrNonUtf8FileDoesNotStopTheOthersFromLoading() throws Exception {
        Files.writeString(dir.resolve("team-a"), "a1");
        Files.writeString(dir.resolve("team-b"), "b1");
        HostUpAccounts accounts = registry(Map.of(), Optional.of(dir));
        Files.write(dir.resolve("team-a"), new byte[] {'k', (byte) 0xC3, (byte) 0x28}); // not UTF-8
        Files.writeString(dir.resolve("team-b"), "b2");
        Files.writeString(dir.resolve("team-c"), "c1");
        Files.createSymbolicLink(dir.resolve("team-d"), dir.resolve("..gone/team-d")); // a link whose target is missing
        accounts.reload();
        assertThat(accounts.find("team-a").orElseThrow().authorization()).as("kept").isEqualTo("Bearer a1");
        assertThat(accounts.find("team-b").orElseThrow().authorization()).as("rotated").isEqualTo("Bearer b2");
        assertThat(accounts.find("team-c")).as("added").isPresent();
        assertThat(accounts.find("team-d")).as("never read: not offered").isEmpty();
        assertThat(kept("team-a", "not_utf8")).isEqualTo(1);
    }

    @Test
    void aNonUtf8FileAtStartUpDoesNotStopTheStart() throws Exception {
        Files.write(dir.resolve("team-a"), new byte[] {(byte) 0xFF});
        Files.writeString(dir.resolve("team-b"), "b");
        HostUpAccounts accounts = registry(Map.of(), Optional.of(dir));
        assertThat(accounts.all()).extracting(Account::name).containsExactly("default", "team-b");
    }

    /**
     * A mounted Kubernetes Secret: each key is a link {@code name -> ..data/name}, {@code ..data} a
     * link to a timestamped directory; an update writes a new directory and swaps {@code ..data}
     * with one atomic rename.
     */
    @Test
    void aKubernetesSecretVolumesAtomicSwapIsFollowed() throws Exception {
        Path v1 = Files.createDirectory(dir.resolve("..2026_12_07_10_00_00.1"));
        Files.writeString(v1.resolve("team-a"), "a1\n");
        Files.writeString(v1.resolve("team-b"), "b1\n");
        Files.createSymbolicLink(dir.resolve("..data"), dir.relativize(v1));
        Files.createSymbolicLink(dir.resolve("team-a"), Path.of("..data", "team-a"));
        Files.createSymbolicLink(dir.resolve("team-b"), Path.of("..data", "team-b"));
        HostUpAccounts accounts = registry(Map.of(), Optional.of(dir));
        assertThat(accounts.all()).extracting(Account::name).containsExactly("default", "team-a", "team-b");

        Path v2 = Files.createDirectory(dir.resolve("..2026_12_07_10_05_00.2"));
        Files.writeString(v2.resolve("team-a"), "a2\n"); // rotated; team-b removed from the Secret
        Files.createSymbolicLink(dir.resolve("..data_tmp"), dir.relativize(v2));
        Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        accounts.reload(); // between the swap and the cleanup, team-b's link points nowhere
        assertThat(accounts.find("team-a").orElseThrow().authorization()).isEqualTo("Bearer a2");
        assertThat(accounts.find("team-b")).as("a dangling link mid-update keeps the key").isPresent();

        Files.delete(dir.resolve("team-b"));
        Files.delete(v1.resolve("team-a"));
        Files.delete(v1.resolve("team-b"));
        Files.delete(v1);
        accounts.reload();

        assertThat(accounts.find("team-a").orElseThrow().authorization()).isEqualTo("Bearer a2");
        assertThat(accounts.find("team-b")).isEmpty();
    }

    @Test
    void aMissingKeyDirectoryStopsTheStart() {
        assertThatThrownBy(() -> registry(Map.of(), Optional.of(dir.resolve("absent"))))
                .hasMessageContaining("HOSTUP_ACCOUNTS_DIR");
    }
}
