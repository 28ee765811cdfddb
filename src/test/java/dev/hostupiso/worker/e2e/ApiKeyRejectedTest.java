package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostupiso.worker.simulator.Endpoint;
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

/** A rejected API key holds the backlog (no failed events), reports not-ready, and recovers. */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class ApiKeyRejectedTest extends EndToEndSupport {

    @TestHTTPResource("/q/health/ready")
    URL ready;

    @TestHTTPResource("/q/metrics")
    URL metrics;


    @Test
    void rejectedKeyHoldsRequestsAndReportsNotReadyUntilItWorksAgain() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> get(ready).statusCode() == 200);
        List<String> vpss = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        long listsBefore = sim().count(null, Endpoint.VPS_LIST);
        sim().rejectAllTokens(true);
        try {
            for (int i = 0; i < 3; i++) {
                String vps = vps();
                sim().vps(vps);
                vpss.add(vps);
                String rid = uid("held");
                ids.add(rid);
                send(request(rid, vps, "x" + i + ".iso"));
                if (i == 0) {
                    // The first request discovers the rejected key; the next two arrive afterwards.
                    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> get(ready).statusCode() == 503);
                }
            }
            assertThat(get(ready).body()).contains("hostup-api-key");
            assertThat(get(metrics).body()).contains("isoworker_api_key_rejected 1.0");
            Thread.sleep(2000); // time enough for wrongly failed events to appear
            for (String rid : ids) {
                assertThat(watcher().records(WorkerTestEnvironment.EVENTS, rid)).isEmpty();
            }
            // The first request met the 401 (with the read-scope check before its from-url) and waits:
            // the prober alone calls HostUp while the key is held, with the VPS list, once per 5 s.
            assertThat(sim().count(vpss.get(0), Endpoint.FROM_URL) + sim().count(vpss.get(0), Endpoint.ISO_LIST))
                    .as("no retry loop for the held request").isEqualTo(1);
            assertThat(sim().count(null, Endpoint.VPS_LIST) - listsBefore).as("probes, at most one per 5 s").isBetween(0L, 2L);
            assertThat(sim().count(vpss.get(1), Endpoint.FROM_URL)).isZero();
            assertThat(sim().count(vpss.get(2), Endpoint.FROM_URL)).isZero();
            assertThat(get(metrics).body()).contains("isoworker_intake_paused 1.0");
        } finally {
            sim().rejectAllTokens(false);
        }
        for (String rid : ids) {
            assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> get(ready).statusCode() == 200);
        assertThat(get(metrics).body()).contains("isoworker_api_key_rejected 0.0");
    }

    @Test
    void anIpRestrictionHoldsRequestsWithReasonForbiddenUntilTheKeyWorks() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> get(ready).statusCode() == 200);
        List<String> ids = new ArrayList<>();
        sim().ipRestricted(true); // every call answers 403, the key's VPS list too
        try {
            for (int i = 0; i < 3; i++) {
                String vps = vps();
                sim().vps(vps);
                String rid = uid("iprestricted");
                ids.add(rid);
                send(request(rid, vps, "s" + i + ".iso"));
            }
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> get(ready).statusCode() == 503);
            assertThat(get(ready).body()).contains("\"reason\"").contains("forbidden");
            assertThat(get(metrics).body()).containsPattern("isoworker_api_key_hold\\{account=\"default\",reason=\"forbidden\",?} 1.0");
            Thread.sleep(2500);
            for (String rid : ids) {
                assertThat(watcher().records(WorkerTestEnvironment.EVENTS, rid)).isEmpty();
            }
        } finally {
            sim().ipRestricted(false);
        }
        for (String rid : ids) {
            assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> get(ready).statusCode() == 200);
    }

    @Test
    void aRequestForAVpsTheKeyDoesNotOwnFailsForbiddenAndHoldsNobody() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> get(ready).statusCode() == 200);
        String foreign = vps();
        sim().vps(foreign).forbidden(true); // every call for this VPS answers 403; the key's VPS list omits it
        String first = uid("foreign");
        send(request(first, foreign, "foreign.iso"));
        Thread.sleep(1000);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String vps = vps();
            sim().vps(vps);
            String rid = uid("owned");
            ids.add(rid);
            send(request(rid, vps, "o" + i + ".iso"));
        }
        // At most one probe (the VPS list) stands between the 403 and the verdict: well inside 30 s.
        JsonNode failed = awaitOutcome(first);
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("error").get("code").asText()).isEqualTo("forbidden");
        for (String rid : ids) {
            assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
        }
        assertThat(get(ready).statusCode()).isEqualTo(200);
        assertThat(sim().count(foreign, Endpoint.FROM_URL) + sim().count(foreign, Endpoint.ISO_LIST))
                .as("the read-scope check and one from-url at most, not a retry loop").isLessThanOrEqualTo(2);
    }
}
