package dev.hostupiso.worker.testsupport;

import dev.hostupiso.worker.config.AccountsConfig;
import dev.hostupiso.worker.config.HostUpConfig;
import dev.hostupiso.worker.config.TeamTopics;
import dev.hostupiso.worker.config.WorkerConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.time.Duration;
import java.util.Map;

/** The worker's typed configuration from plain properties, without Quarkus: for unit tests of single classes. */
public final class TestConfig {

    private TestConfig() {
    }

    public static SmallRyeConfig of(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withMapping(WorkerConfig.class)
                .withMapping(HostUpConfig.class)
                .withMapping(AccountsConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus's "10m", "2s"
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build();
    }

    public static WorkerConfig worker(Map<String, String> properties) {
        return of(properties).getConfigMapping(WorkerConfig.class);
    }

    /** The team topics among {@code properties} ({@code hostup.accounts.<name>.topics}, ...), around the default shared topics. */
    public static TeamTopics teams(Map<String, String> properties) {
        SmallRyeConfig config = of(properties);
        return TeamTopics.read(properties.keySet(), n -> config.getOptionalValue(n, String.class),
                config.getConfigMapping(WorkerConfig.class));
    }
}
