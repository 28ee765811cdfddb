package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.config.AccountsConfig;
import dev.hostupiso.worker.config.HostUpConfig;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.timing.Delays;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API keys the worker holds, by account: the default one ({@code HOSTUP_API_TOKEN}, required)
 * and the teams' ({@code HOSTUP_ACCOUNTS_<NAME>_TOKEN} variables, read at start-up, and the files of
 * {@code HOSTUP_ACCOUNTS_DIR}, re-read periodically). Each account has its own rate limiter and key
 * state. A file's key wins over the same account's variable. An account whose file disappears is not
 * offered to new requests; requests already running with it keep its last key. A file that reads
 * empty, not UTF-8 or not at all keeps its account's last good key ({@link KeyDirectory}).
 */
@Startup // fail fast at boot when the default key is missing or a team key is misnamed
@ApplicationScoped
public class HostUpAccounts {

    private static final Logger LOG = Logger.getLogger(HostUpAccounts.class);

    static final Pattern ENV_NAME = Pattern.compile("^HOSTUP_ACCOUNTS_([A-Z0-9_]+)_TOKEN$");
    static final Pattern PROPERTY_NAME = Pattern.compile("^hostup\\.accounts\\.([^.]+)\\.token$");

    private final Account defaultAccount;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    /** Keys given as variables or properties: fixed for the process's life. */
    private final Map<String, String> configured;
    private final Optional<KeyDirectory> dir;
    private final WorkerMetrics metrics;
    private final BiFunction<String, String, Account> newAccount;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final Vertx vertx;
    private long timer = -1;

    @Inject
    public HostUpAccounts(HostUpConfig api, AccountsConfig config, ApiKeyState defaultKey, HostUpRateLimiter defaultLimiter,
                          Config allConfig, Clock clock, WorkerMetrics metrics, Delays delays, WorkerConfig worker, ShareSource shares,
                          Vertx vertx) {
        this(new Account(Account.DEFAULT, requireDefaultToken(api), defaultLimiter, defaultKey),
                configuredTokens(allConfig.getPropertyNames(), n -> allConfig.getOptionalValue(n, String.class)),
                config.dir().map(Path::of),
                (name, token) -> new Account(name, token, new HostUpRateLimiter(clock, metrics, delays, worker, shares), // a team key is shared by the group too
                        new ApiKeyState(metrics, worker.forbiddenHold().vpss(), name)),
                vertx, metrics);
        if (dir.isPresent() && vertx != null) {
            long ms = Math.max(1000, config.reloadInterval().toMillis());
            timer = vertx.setPeriodic(ms, id -> Infrastructure.getDefaultWorkerPool().execute(this::reloadKeepingKeys));
        }
    }

    /** Accounts from keys already read (configured) and a key directory; {@code vertx} null: no periodic re-read. */
    public HostUpAccounts(Account defaultAccount, Map<String, String> configured, Optional<Path> dir,
                   BiFunction<String, String, Account> newAccount, Vertx vertx, WorkerMetrics metrics) {
        this.defaultAccount = defaultAccount;
        this.configured = Map.copyOf(configured);
        this.dir = dir.map(KeyDirectory::new);
        this.newAccount = newAccount;
        this.vertx = vertx;
        this.metrics = metrics;
        this.dir.ifPresent(d -> {
            if (!Files.isDirectory(d.path())) {
                throw new IllegalStateException("HOSTUP_ACCOUNTS_DIR " + d.path() + " is not a readable directory; refusing to start");
            }
        });
        reload();
        LOG.infof("HostUp accounts: %s (default included)", names());
    }

    private static String requireDefaultToken(HostUpConfig api) {
        return api.token().map(String::trim).filter(t -> !t.isEmpty()).orElseThrow(() ->
                new IllegalStateException("HOSTUP_API_TOKEN is not set (property hostup.api.token). The worker needs "
                        + "a HostUp API key with scopes read:vm, write:vm and write:storage; refusing to start."));
    }

    /**
     * The team keys among configuration names: {@code HOSTUP_ACCOUNTS_TEAM_A_TOKEN} and
     * {@code hostup.accounts.team-a.token} are account {@code team-a}. A misnamed one stops the worker
     * at start-up rather than failing that team's requests as {@code unknown_account} later.
     */
    static Map<String, String> configuredTokens(Iterable<String> names, java.util.function.Function<String, Optional<String>> value) {
        Map<String, String> tokens = new TreeMap<>();
        for (String n : names) {
            Matcher env = ENV_NAME.matcher(n);
            Matcher prop = PROPERTY_NAME.matcher(n);
            String account;
            if (env.matches()) {
                account = env.group(1).toLowerCase(Locale.ROOT).replace('_', '-');
            } else if (prop.matches()) {
                account = prop.group(1);
            } else {
                continue;
            }
            if (!Account.NAME.matcher(account).find()) {
                throw new IllegalStateException(n + " does not name a valid account (1-32 characters of [a-z0-9-], not "
                        + "starting or ending with '-'); refusing to start.");
            }
            if (Account.DEFAULT.equals(account)) {
                throw new IllegalStateException(n + ": the default account's key is HOSTUP_API_TOKEN; refusing to start.");
            }
            value.apply(n).map(String::trim).filter(t -> !t.isEmpty()).ifPresent(t -> tokens.put(account, t));
        }
        return tokens;
    }

    /** The account a request names; null or {@code default} is the default account. */
    public Optional<Account> find(String name) {
        if (name == null || Account.DEFAULT.equals(name)) {
            return Optional.of(defaultAccount);
        }
        return Optional.ofNullable(accounts.get(name));
    }

    public Account defaultAccount() {
        return defaultAccount;
    }

    /** Every account offered to requests now, the default one included. */
    public Collection<Account> all() {
        TreeMap<String, Account> all = new TreeMap<>(accounts);
        all.put(Account.DEFAULT, defaultAccount);
        return List.copyOf(all.values());
    }

    private String names() {
        return String.join(", ", all().stream().map(Account::name).toList());
    }

    /** Calls of team accounts waiting for their key (held or parked). */
    public int teamCallsWaiting() {
        return accounts.values().stream().mapToInt(a -> a.keyState().waitingCalls()).sum();
    }

    /**
     * Runs {@code listener} whenever any account's hold ends, or a call of a team account starts
     * waiting for its key (accounts added later included).
     */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
        defaultAccount.keyState().onAccepted(listener);
        accounts.values().forEach(a -> listen(a, listener));
    }

    private static void listen(Account team, Runnable listener) {
        team.keyState().onAccepted(listener);
        team.keyState().onWaiting(listener);
    }

    /**
     * Reads the keys again: the configured ones, then the directory's files (which win). A changed
     * key is used from the next call on and ends its account's hold; an account without a key any
     * more is no longer offered. Blocking (file reads): called at start-up and on a worker thread.
     */
    public synchronized void reload() {
        Map<String, String> keys = new TreeMap<>(configured);
        Set<String> kept = new TreeSet<>();
        dir.ifPresent(d -> readDir(d).forEach((name, read) -> {
            if (read instanceof KeyDirectory.Key key) {
                keys.put(name, key.token());
            } else if (accounts.containsKey(name)) {
                String reason = ((KeyDirectory.Keep) read).reason();
                keys.remove(name); // not the variable's key either: the file's last one stays
                kept.add(name);
                metrics.accountKeyKept(name, reason);
                LOG.warnf("HOSTUP_ACCOUNTS_DIR: %s read %s; keeping account %s's last good key", name, reason, name);
            } else {
                LOG.warnf("HOSTUP_ACCOUNTS_DIR: %s read %s; account %s has no usable key yet", name,
                        ((KeyDirectory.Keep) read).reason(), name);
            }
        }));
        keys.forEach((name, token) -> {
            Account existing = accounts.get(name);
            if (existing == null) {
                Account created = newAccount.apply(name, token);
                changeListeners.forEach(l -> listen(created, l));
                accounts.put(name, created);
                LOG.infof("HostUp account %s: key loaded", name);
            } else if (!existing.hasToken(token)) {
                existing.replaceToken(token);
                LOG.infof("HostUp account %s: key replaced", name);
            }
        });
        accounts.keySet().removeIf(name -> {
            boolean gone = !keys.containsKey(name) && !kept.contains(name);
            if (gone) {
                LOG.warnf("HostUp account %s: no key any more; new requests naming it fail as unknown_account", name);
            }
            return gone;
        });
    }

    private void reloadKeepingKeys() {
        try {
            reload();
        } catch (KeepKeys alreadyLogged) {
            // the next period tries again
        }
    }

    /** The directory's files, each read on its own; a directory that cannot be listed abandons the reload. */
    private static Map<String, KeyDirectory.Read> readDir(KeyDirectory d) {
        try {
            return d.read();
        } catch (IOException e) {
            // Keep the keys we have: a transient read error must not drop every team at once.
            LOG.errorf("HOSTUP_ACCOUNTS_DIR %s could not be read (%s): keeping the keys read before", d.path(), e.getMessage());
            throw new KeepKeys(e);
        }
    }

    @PreDestroy
    void close() {
        if (timer >= 0 && vertx != null) {
            vertx.cancelTimer(timer);
        }
    }

    /** A directory read failed: the reload is abandoned and the keys stay as they were. */
    static final class KeepKeys extends RuntimeException {
        KeepKeys(IOException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
