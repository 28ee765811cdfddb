package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Team accounts: each request topic spends its team's key and no other (the shared topic only the
 * default key), a team's outcomes go to its own topic when it has one; one team's revoked key holds
 * only that team's requests (recorded, waiting) while the others complete, and a rotated key file
 * lets them finish.
 */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class TeamAccountsTest extends EndToEndSupport {

    @TestHTTPResource("/q/health/ready")
    URL ready;

    @TestHTTPResource("/q/metrics")
    URL metrics;


    /** Whether the scrape shows {@code account}'s unauthorized hold gauge at {@code value}. */
    private boolean hold(String account, int value) throws Exception {
        return java.util.regex.Pattern.compile("isoworker_api_key_hold\\{account=\"" + account
                + "\",reason=\"unauthorized\",?} " + value + ".0").matcher(get(metrics).body()).find();
    }

    private static ObjectNode teamRequest(String rid, String vps, String filename, String account) {
        ObjectNode r = request(rid, vps, filename);
        if (account != null) {
            r.put("account", account);
        }
        return r;
    }

    @Test
    void eachTopicSpendsItsTeamsKeyAndTeamAsOutcomesLandOnItsOwnTopic() {
        String va = vps();
        String vb = vps();
        String vd = vps();
        sim().vps(va);
        sim().vps(vb);
        sim().vps(vd);
        String ra = uid("team-a");
        String rb = uid("team-b");
        String rd = uid("default");
        send(WorkerTestEnvironment.TEAM_A_REQUESTS, teamRequest(ra, va, "a.iso", null)); // the topic says whose key
        send(WorkerTestEnvironment.TEAM_B_REQUESTS, teamRequest(rb, vb, "b.iso", "team-b"));
        send(teamRequest(rd, vd, "d.iso", "default"));

        JsonNode a = awaitOutcome(WorkerTestEnvironment.TEAM_A_EVENTS, ra);
        assertThat(a.get("status").asText()).isEqualTo("completed");
        assertThat(a.get("requestTopic").asText()).isEqualTo(WorkerTestEnvironment.TEAM_A_REQUESTS);
        assertThat(watcher().records(WorkerTestEnvironment.EVENTS, ra)).as("team A's outcome is not on the shared topic").isEmpty();
        JsonNode b = awaitOutcome(rb);
        assertThat(b.get("status").asText()).isEqualTo("completed");
        assertThat(b.get("requestTopic").asText()).isEqualTo(WorkerTestEnvironment.TEAM_B_REQUESTS);
        assertThat(awaitOutcome(rd).get("account").asText()).isEqualTo("default");
        assertThat(sim().callsWithToken(WorkerTestEnvironment.TEAM_A_TOKEN, va)).isPositive();
        assertThat(sim().callsWithToken(WorkerTestEnvironment.TOKEN, va)).isZero();
        assertThat(sim().callsWithToken(WorkerTestEnvironment.TEAM_B_TOKEN, vb)).isPositive();
        assertThat(sim().callsWithToken(WorkerTestEnvironment.TOKEN, vb)).isZero();
        assertThat(sim().callsWithToken(WorkerTestEnvironment.TOKEN, vd)).isPositive();
        assertThat(sim().callsWithToken(WorkerTestEnvironment.TEAM_A_TOKEN, vd)).isZero();
    }

    @Test
    void aRequestOnTeamAsTopicNamingTeamBFailsWithoutSpendingTeamBsKey() {
        String vps = vps();
        sim().vps(vps);
        String rid = uid("a-names-b");
        send(WorkerTestEnvironment.TEAM_A_REQUESTS, teamRequest(rid, vps, "steal.iso", "team-b"));

        JsonNode e = awaitOutcome(WorkerTestEnvironment.TEAM_A_EVENTS, rid);
        assertThat(e.get("status").asText()).isEqualTo("failed");
        assertThat(e.get("error").get("code").asText()).isEqualTo("account_not_allowed");
        assertThat(e.get("error").get("retryable").asBoolean()).isFalse();
        assertThat(e.get("requestTopic").asText()).as("says where it came from").isEqualTo(WorkerTestEnvironment.TEAM_A_REQUESTS);
        assertThat(e.get("error").get("detail").asText()).contains(WorkerTestEnvironment.TEAM_A_REQUESTS);
        assertThat(e.get("apiCalls").get("total").asInt()).isZero();
        assertThat(sim().callsWithToken(WorkerTestEnvironment.TEAM_B_TOKEN, vps)).as("team B's key was not spent").isZero();
        assertThat(sim().calls().stream().filter(c -> vps.equals(c.vpsId()))).as("no API call at all").isEmpty();
    }

    @Test
    void theSharedTopicSpendsOnlyTheDefaultKey() {
        String vps = vps();
        sim().vps(vps);
        String rid = uid("shared-names-a");
        send(teamRequest(rid, vps, "shared.iso", "team-a"));

        JsonNode e = awaitOutcome(rid);
        assertThat(e.get("error").get("code").asText()).isEqualTo("account_not_allowed");
        assertThat(e.get("requestTopic").asText()).isEqualTo(WorkerTestEnvironment.REQUESTS);
        assertThat(sim().calls().stream().filter(c -> vps.equals(c.vpsId()))).isEmpty();
    }

    @Test
    void aTeamTopicWhoseAccountHasNoKeyFailsUnknownAccountWithoutAnyApiCall() {
        String vps = vps();
        String rid = uid("nobody");
        send(WorkerTestEnvironment.TEAM_C_REQUESTS, teamRequest(rid, vps, "n.iso", null));

        JsonNode e = awaitOutcome(rid);
        assertThat(e.get("status").asText()).isEqualTo("failed");
        assertThat(e.get("error").get("code").asText()).isEqualTo("unknown_account");
        assertThat(e.get("error").get("detail").asText()).contains("team-c");
        assertThat(e.get("error").get("retryable").asBoolean()).isTrue();
        assertThat(e.get("apiCalls").get("total").asInt()).isZero();
        assertThat(sim().calls().stream().filter(c -> vps.equals(c.vpsId()))).isEmpty();
    }

    @Test
    void oneTeamsRevokedKeyHoldsOnlyThatTeamUntilItsKeyFileIsRotated() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> get(ready).statusCode() == 200);
        String rotated = "hu_live_teamB_rotated_" + uid("k").substring(2);
        sim().removeToken(WorkerTestEnvironment.TEAM_B_TOKEN); // team-b's key is revoked at HostUp
        List<String> held = new ArrayList<>();
        List<String> flowing = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                String vps = vps();
                sim().vps(vps);
                String rid = uid("b-held");
                held.add(rid);
                send(WorkerTestEnvironment.TEAM_B_REQUESTS, teamRequest(rid, vps, "held" + i + ".iso", "team-b"));
            }
            for (int i = 0; i < 3; i++) {
                String vps = vps();
                sim().vps(vps);
                String rid = uid("flowing");
                flowing.add(rid);
                if (i == 0) {
                    send(teamRequest(rid, vps, "flow" + i + ".iso", null));
                } else {
                    send(WorkerTestEnvironment.TEAM_A_REQUESTS, teamRequest(rid, vps, "flow" + i + ".iso", "team-a"));
                }
            }
            for (int i = 0; i < flowing.size(); i++) {
                String topic = i == 0 ? WorkerTestEnvironment.EVENTS : WorkerTestEnvironment.TEAM_A_EVENTS;
                assertThat(awaitOutcome(topic, flowing.get(i)).get("status").asText()).as("other teams keep flowing")
                        .isEqualTo("completed");
            }
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> hold("team-b", 1));
            HttpResponse<String> readiness = get(ready);
            assertThat(readiness.statusCode()).as("one team's key does not take the pod out of service").isEqualTo(200);
            assertThat(readiness.body()).contains("\"account.team-b\"").contains("unauthorized");
            assertThat(hold("default", 0)).isTrue();
            for (String rid : held) {
                assertThat(watcher().records(WorkerTestEnvironment.EVENTS, rid)).as("held, not failed").isEmpty();
            }
            // The key is rotated: a new key at HostUp, written into the account's file.
            sim().addToken(rotated, HostUpSimulator.ALL_SCOPES);
            WorkerTestEnvironment.writeAccountKey("team-b", rotated);
            for (String rid : held) {
                assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
            }
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> hold("team-b", 0));
        } finally {
            // back to the environment's keys for the other tests
            sim().addToken(WorkerTestEnvironment.TEAM_B_TOKEN, HostUpSimulator.ALL_SCOPES);
            WorkerTestEnvironment.writeAccountKey("team-b", WorkerTestEnvironment.TEAM_B_TOKEN);
        }
    }
}
