package dev.hostupiso.worker.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The request channel subscribes to every team's topics as set in the environment (the names the
 * chart sets), and the typed accounts mapping accepts those variables.
 */
class RequestTopicsConfigSourceTest {

    private static SmallRyeConfig config(Map<String, String> env) {
        return new SmallRyeConfigBuilder()
                .withMapping(WorkerConfig.class)
                .withMapping(AccountsConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus's "10m", "2s"
                .withSources(new EnvConfigSource(env, 300))
                .withSources(new RequestTopicsConfigSource())
                .build();
    }

    @Test
    void theChannelReadsTheSharedTopicAndEveryTeamsTopicsFromTheEnvironment() {
        SmallRyeConfig c = config(Map.of("ISO_REQUESTS_TOPIC", "shared-requests",
                "HOSTUP_ACCOUNTS_TEAM_A_TOPICS", "team-a-requests,team-a-bulk",
                "HOSTUP_ACCOUNTS_TEAM_A_EVENTS_TOPIC", "team-a-events",
                "HOSTUP_ACCOUNTS_TEAM_A_TOKEN", "k",
                "HOSTUP_ACCOUNTS_TEAM_B_TOPICS", "team-b-requests"));
        assertThat(c.getValue(RequestTopicsConfigSource.TOPICS, String.class))
                .isEqualTo("shared-requests,team-a-bulk,team-a-requests,team-b-requests");
        TeamTopics teams = TeamTopics.read(c.getPropertyNames(), n -> c.getOptionalValue(n, String.class),
                c.getConfigMapping(WorkerConfig.class));
        assertThat(teams.accountFor("team-a-bulk", null)).contains("team-a");
        assertThat(teams.eventsTopic("team-a-requests")).isEqualTo("team-a-events");
        assertThat(teams.eventsTopic("team-b-requests")).isEqualTo("iso-download-events");
        c.getConfigMapping(AccountsConfig.class); // the variables do not upset the typed mapping
    }

    @Test
    void withoutTeamsTheChannelReadsTheSharedTopicOnly() {
        assertThat(config(Map.of()).getValue(RequestTopicsConfigSource.TOPICS, String.class)).isEqualTo("iso-download-requests");
    }

    @Test
    void aTopicOfTwoTeamsStopsTheStartWithItsName() {
        assertThatThrownBy(() -> config(Map.of("HOSTUP_ACCOUNTS_TEAM_A_TOPICS", "x", "HOSTUP_ACCOUNTS_TEAM_B_TOPICS", "x")))
                .hasStackTraceContaining("bound to both");
    }
}
