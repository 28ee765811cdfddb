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

/** Neither the API token nor credentials inside download URLs reach a log line or an event. */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class SecretsTest extends EndToEndSupport {

    @Test
    void tokenAndUrlCredentialsNeverAppearInLogsOrEvents() {
        String vps = vps();
        sim().vps(vps).enqueue(dev.hostupiso.worker.simulator.Endpoint.FROM_URL, ScriptedResponse.problem(500, "internal_error"))
                .failJobs("download failed");
        String rid = uid("secret");
        send(request(rid, vps, "x.iso")
                .put("url", "https://mirror-user:Pa55w0rdXYZ@releases.example.org/x.iso?X-Amz-Signature=sig0123456789abcdef"));
        String unknown = uid("secret-nf");
        send(request(unknown, vps(), "y.iso"));
        assertThat(awaitOutcome(rid).get("error").get("code").asText()).isEqualTo("job_failed");
        awaitOutcome(unknown);

        List<String> lines = LogCapture.lines();
        assertThat(lines).isNotEmpty();
        assertThat(lines).anyMatch(l -> l.contains(rid) && l.contains("releases.example.org/x.iso"));
        List<String> published = new ArrayList<>();
        for (String topic : List.of(WorkerTestEnvironment.EVENTS, WorkerTestEnvironment.DLQ)) {
            for (ConsumerRecord<String, String> r : watcher().records(topic)) {
                published.add(r.value());
                for (Header h : r.headers()) {
                    published.add(new String(h.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertThat(published).isNotEmpty();
        for (String secret : List.of(WorkerTestEnvironment.TOKEN, "Pa55w0rdXYZ", "sig0123456789abcdef")) {
            assertThat(lines).noneMatch(l -> l.contains(secret));
            assertThat(published).noneMatch(v -> v != null && v.contains(secret));
        }
    }
}
