package dev.hostupiso.worker.e2e;

import dev.hostupiso.worker.simulator.ScriptedResponse;
import dev.hostupiso.worker.testsupport.LogCapture;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Neither the API token nor credentials inside download URLs (userinfo, a signed path segment, a
 * signed query) reach a log line or an outcome event. The dead-letter topic is a replay copy: it
 * keeps the request record's bytes exactly, secrets included, like the request topic itself.
 */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class SecretsTest extends EndToEndSupport {

    private static final String SIGNED_URL =
            "https://mirror-user:Pa55w0rdXYZ@releases.example.org/dl/PathTok3nXYZ/x.iso?X-Amz-Signature=sig0123456789abcdef#frag";
    private static final List<String> SECRETS = List.of(WorkerTestEnvironment.TOKEN, "mirror-user", "Pa55w0rdXYZ",
            "PathTok3nXYZ", "sig0123456789abcdef");

    @Test
    void tokenAndUrlCredentialsNeverAppearInLogsOrEvents() throws Exception {
        String vps = vps();
        sim().vps(vps).enqueue(dev.hostupiso.worker.simulator.Endpoint.FROM_URL, ScriptedResponse.problem(500, "internal_error"))
                .failJobs("download failed");
        String rid = uid("secret");
        send(request(rid, vps, "x.iso").put("url", SIGNED_URL));
        String invalid = uid("secret-invalid");
        send(request(invalid, vps, "x.txt").put("url", SIGNED_URL));
        String unknown = uid("secret-nf");
        send(request(unknown, vps(), "y.iso"));
        String poisonKey = uid("secret-poison");
        String poison = "{\"vpsId\":\"" + vps + "\",\"url\":\"" + SIGNED_URL + "\",\"filename\":\"x.iso\"}";
        WorkerTestEnvironment.send(poisonKey, poison);
        assertThat(awaitOutcome(rid).get("error").get("code").asText()).isEqualTo("job_failed");
        assertThat(awaitOutcome(invalid).get("error").get("code").asText()).isEqualTo("invalid_request");
        awaitOutcome(unknown);
        ConsumerRecord<String, String> dead = watcher().awaitKey(WorkerTestEnvironment.DLQ, poisonKey, OUTCOME_TIMEOUT);

        List<String> lines = LogCapture.lines();
        assertThat(lines).isNotEmpty();
        assertThat(lines).anyMatch(l -> l.contains(rid) && l.contains("https://releases.example.org/…/x.iso?…"));
        List<String> published = new ArrayList<>();
        for (ConsumerRecord<String, String> r : watcher().records(WorkerTestEnvironment.EVENTS)) {
            published.add(r.value());
            for (Header h : r.headers()) {
                published.add(new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        assertThat(published).isNotEmpty();
        for (String secret : SECRETS) {
            assertThat(lines).as("log lines").noneMatch(l -> l.contains(secret));
            assertThat(published).as("outcome events").noneMatch(v -> v != null && v.contains(secret));
        }
        assertThat(dead.value()).isEqualTo(poison);
    }
}
