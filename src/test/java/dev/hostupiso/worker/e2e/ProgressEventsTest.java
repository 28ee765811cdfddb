package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.hostupiso.worker.localstack.TopicWatcher;
import dev.hostupiso.worker.simulator.DownloadShape;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.simulator.JobEnvelope;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running download publishes throttled progress CloudEvents, and the outcome counts every call the
 * request cost, by endpoint, as the simulator saw them.
 */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class ProgressEventsTest extends EndToEndSupport {

    private static List<ConsumerRecord<String, String>> progressOf(String requestId) {
        return watcher().records(WorkerTestEnvironment.PROGRESS, requestId);
    }

    private static JsonSchema schema() throws Exception {
        try (InputStream in = ProgressEventsTest.class.getResourceAsStream("/schemas/iso-download-progress.schema.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
                    .getSchema(in, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        }
    }

    @Test
    void aRunningDownloadPublishesProgressEventsInBothEnvelopes() throws Exception {
        JsonSchema schema = schema();
        for (JobEnvelope envelope : JobEnvelope.values()) {
            String vps = vps();
            sim().vps(vps).jobDuration(Duration.ofSeconds(3)).envelope(envelope);
            String rid = uid("progress");
            send(request(rid, vps, "ubuntu-24.04-live-server-amd64.iso"));
            JsonNode outcome = awaitOutcome(rid);
            assertThat(outcome.get("status").asText()).as(envelope.name()).isEqualTo("completed");

            List<ConsumerRecord<String, String>> events = progressOf(rid);
            assertThat(events).as("%s: progress events", envelope).hasSizeGreaterThanOrEqualTo(2);
            double previous = -1;
            Instant previousAt = Instant.MIN;
            for (ConsumerRecord<String, String> r : events) {
                JsonNode e = parse(r.value());
                assertThat(schema.validate(e)).as(r.value()).isEmpty();
                assertThat(TopicWatcher.header(r, "ce_type")).isEqualTo("dev.hostupiso.iso.download.progress");
                assertThat(TopicWatcher.header(r, "ce_specversion")).isEqualTo("1.0");
                assertThat(TopicWatcher.header(r, "ce_subject")).isEqualTo(rid);
                assertThat(TopicWatcher.header(r, "ce_source")).isEqualTo("/hostup-iso-worker");
                assertThat(TopicWatcher.header(r, "ce_time")).isEqualTo(e.get("observedAt").asText());
                assertThat(TopicWatcher.header(r, "content-type")).isEqualTo("application/json");
                assertThat(TopicWatcher.header(r, "ce_id")).isNotBlank();
                assertThat(e.get("requestId").asText()).isEqualTo(rid);
                assertThat(e.get("vpsId").asText()).isEqualTo(vps);
                assertThat(e.get("jobId").asText()).isEqualTo(outcome.get("jobId").asText());
                double pct = e.get("percentage").asDouble();
                assertThat(pct).as("progress only moves forward").isGreaterThan(previous);
                Instant at = Instant.parse(e.get("observedAt").asText());
                assertThat(at).isAfterOrEqualTo(previousAt);
                previous = pct;
                previousAt = at;
            }
            assertThat(events).as("%s: bytes reported once the download runs", envelope)
                    .anySatisfy(r -> assertThat(parse(r.value()).path("bytesTotal").asLong()).isPositive());
        }
    }

    @Test
    void theOutcomeCountsEveryCallByEndpointIncludingLibraryReads() {
        String vps = vps();
        // Two list reads miss the file after the job: resolution re-reads, and each read is a call the request cost.
        sim().vps(vps).jobDuration(Duration.ofMillis(1500)).listingLag(2).downloadShape(DownloadShape.SLOW_START);
        String rid = uid("calls");
        send(request(rid, vps, "fedora-41.iso"));
        JsonNode outcome = awaitOutcome(rid);
        assertThat(outcome.get("status").asText()).isEqualTo("completed");

        JsonNode calls = outcome.get("apiCalls");
        assertThat(calls.get("fromUrl").asLong()).isEqualTo(sim().count(vps, Endpoint.FROM_URL)).isEqualTo(1);
        assertThat(calls.get("job").asLong()).isEqualTo(sim().count(vps, Endpoint.JOB)).isPositive();
        assertThat(calls.get("isoList").asLong()).isEqualTo(sim().count(vps, Endpoint.ISO_LIST)).isGreaterThanOrEqualTo(3);
        assertThat(calls.get("mount").asLong()).isZero();
        assertThat(calls.get("total").asLong()).isEqualTo(calls.get("fromUrl").asLong() + calls.get("job").asLong()
                + calls.get("isoList").asLong());
        assertThat(outcome.get("attempts").asLong()).isEqualTo(calls.get("fromUrl").asLong());
    }

    @Test
    void aDownloadThatJumpsFromZeroToDoneIsStillPolledToCompletion() {
        String vps = vps();
        sim().vps(vps).jobDuration(Duration.ofMillis(1200));
        String rid = uid("jump");
        send(request(rid, vps, "tails.shape-jump.iso"));
        assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
    }
}
