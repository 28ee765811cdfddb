package dev.hostupiso.worker.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Subscribes the request channel to every request topic: the shared one and the teams'
 * ({@link TeamTopics}). The teams' settings have names no properties file can spell out in
 * advance ({@code HOSTUP_ACCOUNTS_<NAME>_TOPICS}), so the channel's {@code topics} attribute is
 * computed here from whatever is configured.
 */
public class RequestTopicsConfigSource implements ConfigSourceFactory {

    /** The request channel's list of topics. */
    static final String TOPICS = "mp.messaging.incoming.iso-requests.topics";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        List<String> names = new ArrayList<>();
        context.iterateNames().forEachRemaining(names::add);
        TeamTopics topics = TeamTopics.read(names, n -> value(context, n),
                value(context, "iso.requests-topic").orElse("iso-download-requests"),
                value(context, "iso.events-topic").orElse("iso-download-events"),
                value(context, "iso.progress.topic").orElse("iso-download-progress"),
                Set.of(value(context, "iso.ledger-topic").orElse("iso-download-jobs"),
                        value(context, "iso.dlq-topic").orElse("iso-download-requests-dlq")));
        return List.of(new PropertiesConfigSource(Map.of(TOPICS, String.join(",", topics.requestTopics())),
                "hostup-iso-worker request topics", 200));
    }

    private static Optional<String> value(ConfigSourceContext context, String name) {
        ConfigValue v = context.getValue(name);
        return v == null ? Optional.empty() : Optional.ofNullable(v.getValue()).filter(s -> !s.isBlank());
    }
}
