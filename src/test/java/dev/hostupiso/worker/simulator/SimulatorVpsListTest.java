package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/v2/vps}: the VPSs a key may use, paginated, behind the same auth, IP and scope checks as any call. */
class SimulatorVpsListTest extends SimulatorHttpHarness {

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("data").forEach(v -> ids.add(v.get("id").asText()));
        return ids;
    }

    @Test
    void listsTheVpssTheKeyMayUseAndNotAForbiddenOne() throws Exception {
        sim.vps("vps_a");
        sim.vps("vps_b");
        sim.vps("vps_theirs").forbidden();
        JsonNode page = json(call("GET", "/api/v2/vps", null));
        assertThat(ids(page)).containsExactly("vps_a", "vps_b");
        assertThat(page.get("hasMore").asBoolean()).isFalse();
        assertThat(page.get("nextCursor").isNull()).isTrue();
        assertThat(sim.count(null, Endpoint.VPS_LIST)).isEqualTo(1);
    }

    @Test
    void pagesFollowTheOpaqueCursor() throws Exception {
        for (int i = 0; i < 5; i++) {
            sim.vps("vps_" + i);
        }
        List<String> seen = new ArrayList<>();
        String path = "/api/v2/vps?limit=2";
        for (int pages = 0; pages < 5; pages++) {
            JsonNode page = json(call("GET", path, null));
            seen.addAll(ids(page));
            if (!page.get("hasMore").asBoolean()) {
                break;
            }
            path = "/api/v2/vps?limit=2&cursor=" + page.get("nextCursor").asText();
        }
        assertThat(seen).containsExactly("vps_0", "vps_1", "vps_2", "vps_3", "vps_4");
        assertProblem(call("GET", "/api/v2/vps?limit=101", null), 400, "invalid_request");
        assertProblem(call("GET", "/api/v2/vps?cursor=%21%21", null), 400, "invalid_request");
    }

    @Test
    void aBrokenKeyIsRefusedTheListToo() throws Exception {
        sim.addToken("writer", Set.of(HostUpSimulator.WRITE_VM, HostUpSimulator.WRITE_STORAGE));
        HttpResponse<String> noReadScope = send("GET", "/api/v2/vps", null, "Bearer writer", Duration.ofSeconds(5));
        assertProblem(noReadScope, 403, "forbidden");
        sim.ipRestricted(true);
        assertProblem(call("GET", "/api/v2/vps", null), 403, "forbidden");
        sim.ipRestricted(false);
        sim.rejectAllTokens(true);
        assertProblem(call("GET", "/api/v2/vps", null), 401, "unauthorized");
        sim.rejectAllTokens(false);
        assertProblem(call("POST", "/api/v2/vps", "{}"), 405, "method_not_allowed");
    }
}
