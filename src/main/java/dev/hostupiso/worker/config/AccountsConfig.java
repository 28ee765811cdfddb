package dev.hostupiso.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Team accounts: API keys besides the default one ({@code hostup.accounts.*}, or
 * {@code HOSTUP_ACCOUNTS_*}). A key is given either as {@code HOSTUP_ACCOUNTS_<NAME>_TOKEN} (the
 * account name upper-cased, {@code -} written {@code _}; or the property
 * {@code hostup.accounts.<name>.token}) or as a file named after the account in {@link #dir()}.
 */
@ConfigMapping(prefix = "hostup.accounts")
public interface AccountsConfig {

    /**
     * Team keys given as properties, {@code hostup.accounts.<name>.token} (the registry also reads the
     * {@code HOSTUP_ACCOUNTS_<NAME>_TOKEN} variables, whose names this mapping cannot spell).
     */
    @WithParentName
    Map<String, Team> teams();

    /** One team account's settings. */
    interface Team {
        /** The team's API key. Never logged. */
        Optional<String> token();

        /**
         * The team's request topics, comma-separated ({@code HOSTUP_ACCOUNTS_<NAME>_TOPICS}): requests read
         * from them spend this account's key, whether they name it or not, and no other; read by {@link TeamTopics}.
         * Kafka ACLs that let only the team write them make the boundary.
         */
        Optional<List<String>> topics();

        /**
         * The team's own topic for outcomes and progress events ({@code HOSTUP_ACCOUNTS_<NAME>_EVENTS_TOPIC}),
         * so no other team reads its VPS ids and file names; absent: the shared topics.
         */
        Optional<String> eventsTopic();
    }

    /**
     * A directory holding one file per account: the file name is the account, its content (trimmed)
     * the key ({@code HOSTUP_ACCOUNTS_DIR}), e.g. a mounted Kubernetes Secret. Re-read every
     * {@link #reloadInterval()}, so a rotated, added or removed key is picked up without a restart.
     * A key in the directory wins over the same account's variable.
     */
    Optional<String> dir();

    /** How often {@link #dir()} is re-read ({@code HOSTUP_ACCOUNTS_RELOAD_INTERVAL}). */
    @WithName("reload-interval")
    @WithDefault("30s")
    Duration reloadInterval();

    /**
     * Requests of team accounts whose key is held that do not count against {@code iso.max-in-flight}
     * ({@code HOSTUP_ACCOUNTS_MAX_WAITING}): one team's revoked key must not fill the in-flight cap
     * and stop intake for the others. Beyond this many, waiting requests count again, which bounds memory.
     */
    @WithName("max-waiting")
    @WithDefault("10000")
    int maxWaiting();
}
