package dev.hostupiso.worker.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Team topics from their settings: which account each request topic may spend, where each team's events go. */
class TeamTopicsTest {

    private static TeamTopics read(Map<String, String> settings) {
        return TeamTopics.read(settings.keySet(), n -> Optional.ofNullable(settings.get(n)), "requests", "events", "progress",
                Set.of("ledger", "dlq"));
    }

    @Test
    void variablesAndPropertiesBindTopicsToTeams() {
        TeamTopics t = read(Map.of("HOSTUP_ACCOUNTS_TEAM_A_TOPICS", " a-requests , a-bulk ",
                "hostup.accounts.team-b.topics", "b-requests", "HOSTUP_ACCOUNTS_TEAM_A_EVENTS_TOPIC", "a-events",
                "HOSTUP_ACCOUNTS_TEAM_A_TOKEN", "not a topic setting"));
        assertThat(t.requestTopics()).containsExactly("requests", "a-bulk", "a-requests", "b-requests");
        assertThat(t.accountFor("a-bulk", null)).contains("team-a");
        assertThat(t.accountFor("a-requests", "team-a")).contains("team-a");
        assertThat(t.accountFor("a-requests", "team-b")).isEmpty();
        assertThat(t.accountFor("a-requests", "default")).isEmpty();
        assertThat(t.accountFor("requests", null)).contains("default");
        assertThat(t.accountFor("requests", "default")).contains("default");
        assertThat(t.accountFor("requests", "team-a")).isEmpty();
        assertThat(t.eventsTopic("a-requests")).isEqualTo("a-events");
        assertThat(t.progressTopic("a-requests")).as("a team's own topic carries its progress too").isEqualTo("a-events");
        assertThat(t.eventsTopic("b-requests")).isEqualTo("events");
        assertThat(t.progressTopic("b-requests")).isEqualTo("progress");
        assertThat(t.eventsTopic("requests")).isEqualTo("events");
    }

    @Test
    void aTopicOfTwoTeamsStopsTheStart() {
        assertThatThrownBy(() -> read(Map.of("HOSTUP_ACCOUNTS_TEAM_A_TOPICS", "x", "HOSTUP_ACCOUNTS_TEAM_B_TOPICS", "x")))
                .hasMessageContaining("bound to both");
    }

    @Test
    void aTeamTopicThatIsOneOfTheWorkersOwnStopsTheStart() {
        for (String shared : List.of("requests", "events", "progress", "ledger", "dlq")) {
            assertThatThrownBy(() -> read(Map.of("HOSTUP_ACCOUNTS_TEAM_A_TOPICS", shared)))
                    .as(shared).hasMessageContaining("HOSTUP_ACCOUNTS_TEAM_A_TOPICS");
        }
    }

    @Test
    void anEventsTopicSharedWithOthersOrWithoutRequestTopicsStopsTheStart() {
        assertThatThrownBy(() -> read(Map.of("HOSTUP_ACCOUNTS_TEAM_A_TOPICS", "a", "HOSTUP_ACCOUNTS_TEAM_A_EVENTS_TOPIC", "events")))
                .hasMessageContaining("HOSTUP_ACCOUNTS_TEAM_A_EVENTS_TOPIC");
        assertThatThrownBy(() -> read(Map.of("HOSTUP_ACCOUNTS_TEAM_A_TOPICS", "a", "HOSTUP_ACCOUNTS_TEAM_B_TOPICS", "b",
                "HOSTUP_ACCOUNTS_TEAM_A_EVENTS_TOPIC", "e", "HOSTUP_ACCOUNTS_TEAM_B_EVENTS_TOPIC", "e")))
                .hasMessageContaining("another team's");
        assertThatThrownBy(() -> read(Map.of("HOSTUP_ACCOUNTS_TEAM_A_EVENTS_TOPIC", "e")))
                .hasMessageContaining("has no request topic");
    }

    @Test
    void aMisnamedTeamOrTopicStopsTheStart() {
        assertThatThrownBy(() -> read(Map.of("HOSTUP_ACCOUNTS_DEFAULT_TOPICS", "x"))).hasMessageContaining("does not name a team");
        assertThatThrownBy(() -> read(Map.of("HOSTUP_ACCOUNTS__A_TOPICS", "x"))).hasMessageContaining("does not name a team");
        assertThatThrownBy(() -> read(Map.of("HOSTUP_ACCOUNTS_TEAM_A_TOPICS", "a topic"))).hasMessageContaining("not a Kafka topic name");
    }

    @Test
    void withoutTeamsOnlyTheSharedTopicIsRead() {
        TeamTopics t = read(Map.of());
        assertThat(t.requestTopics()).containsExactly("requests");
        assertThat(t.accountFor(null, null)).contains("default");
    }
}
