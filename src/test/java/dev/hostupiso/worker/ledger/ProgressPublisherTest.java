package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.ContractValidator;
import dev.hostupiso.worker.wire.DownloadProgress;
import dev.hostupiso.worker.wire.IsoRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProgressPublisherTest {

    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
    private final IsoRequest request = new IsoRequest("r-42", "vps_1", "https://h/x.iso", "x.iso", "none");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkerMetrics metrics = new WorkerMetrics(registry);

    private JobContext ctx() {
        return JobContext.resumed(request, t0, t0.plusSeconds(3600), 0, 1, dev.hostupiso.worker.job.JobState.SUBMITTED,
                "job_7", "/api/jobs/job_7", 1, 1, 2, false);
    }

    private DownloadProgress progress(double pct, boolean bytes) {
        return new DownloadProgress(pct, bytes ? OptionalLong.of(250) : OptionalLong.empty(),
                bytes ? OptionalLong.of(1000) : OptionalLong.empty(),
                bytes ? Optional.of(t0.plusSeconds(90)) : Optional.empty(), t0.plusSeconds(30));
    }

    private static Map<String, String> headers(ProducerRecord<String, String> r) {
        return StreamSupport.stream(r.headers().spliterator(), false)
                .collect(Collectors.toMap(Header::key, h -> new String(h.value(), StandardCharsets.UTF_8)));
    }

    private static JsonSchema schema() throws Exception {
        try (InputStream in = ProgressPublisherTest.class.getResourceAsStream("/schemas/iso-download-progress.schema.json")) {
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in, config);
        }
    }

    @Test
    void sendsABinaryModeCloudEventKeyedByRequestIdThatTheSchemaAccepts() throws Exception {
        MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        ProgressPublisher publisher = new ProgressPublisher(true, "progress", "/hostup-iso-worker", mapper, metrics, () -> producer);
        publisher.progressed(ctx(), progress(25, true));
        publisher.progressed(ctx(), progress(40, false));
        await().atMost(5, TimeUnit.SECONDS).until(() -> producer.history().size() == 2);

        ProducerRecord<String, String> r = producer.history().get(0);
        assertThat(r.topic()).isEqualTo("progress");
        assertThat(r.key()).isEqualTo("r-42");
        assertThat(headers(r)).containsEntry("ce_specversion", "1.0").containsEntry("ce_type", "dev.hostupiso.iso.download.progress")
                .containsEntry("ce_source", "/hostup-iso-worker").containsEntry("ce_subject", "r-42")
                .containsEntry("ce_time", "2026-11-27T10:00:30Z").containsEntry("content-type", "application/json")
                .containsKey("ce_id");
        // Like an outcome, a progress event names the schema its data follows, the progress schema's own $id.
        try (InputStream in = ProgressPublisherTest.class.getResourceAsStream("/schemas/iso-download-progress.schema.json")) {
            assertThat(headers(r)).containsEntry("ce_dataschema", mapper.readTree(in).path("$id").asText());
        }
        com.fasterxml.jackson.databind.node.ObjectNode headerObject = mapper.createObjectNode();
        headers(r).forEach(headerObject::put);
        assertThat(ContractValidator.get().violations("/components/messages/IsoDownloadProgress/headers/schema", headerObject))
                .as("headers against the contract").isEmpty();
        JsonNode json = mapper.readTree(r.value());
        assertThat(json.get("percentage").asDouble()).isEqualTo(25.0);
        assertThat(json.get("bytesDone").asLong()).isEqualTo(250);
        assertThat(json.get("bytesTotal").asLong()).isEqualTo(1000);
        assertThat(json.get("eta").asText()).isEqualTo("2026-11-27T10:01:30Z");
        assertThat(json.get("jobId").asText()).isEqualTo("job_7");
        JsonSchema schema = schema();
        for (ProducerRecord<String, String> each : producer.history()) {
            assertThat(schema.validate(mapper.readTree(each.value()))).as(each.value()).isEmpty();
        }
        assertThat(mapper.readTree(producer.history().get(1).value()).has("bytesDone")).isFalse();
        await().atMost(5, TimeUnit.SECONDS).until(() -> registry.find(WorkerMetrics.PROGRESS_EVENTS).tag("result", "sent")
                .counter().count() == 2);
        publisher.close();
    }

    @Test
    void aBrokenProducerIsCountedAndNeverReachesTheJob() {
        MockProducer<String, String> producer = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
        ProgressPublisher publisher = new ProgressPublisher(true, "progress", "/s", mapper, metrics, () -> producer);
        publisher.progressed(ctx(), progress(25, false));
        await().atMost(5, TimeUnit.SECONDS).until(() -> producer.history().size() == 1);
        producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker away"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> registry.find(WorkerMetrics.PROGRESS_EVENTS).tag("result", "failed")
                .counter().count() == 1);
        publisher.close();
    }

    @Test
    void aProducerThatBlocksNeverBlocksTheCallerAndOverflowIsDropped() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Producer<String, String> stuck = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()) {
            @Override
            public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                    ProducerRecord<String, String> record, org.apache.kafka.clients.producer.Callback callback) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.send(record, callback);
            }
        };
        ProgressPublisher publisher = new ProgressPublisher(true, "progress", "/s", mapper, metrics, () -> stuck);
        long start = System.nanoTime();
        for (int i = 0; i < ProgressPublisher.QUEUE + 50; i++) {
            publisher.progressed(ctx(), progress(10, false));
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
        assertThat(registry.find(WorkerMetrics.PROGRESS_EVENTS).tag("result", "failed").counter().count()).isGreaterThanOrEqualTo(49);
        release.countDown();
        publisher.close();
    }

    @Test
    void offItCreatesNoProducerAndSendsNothing() {
        ProgressPublisher publisher = new ProgressPublisher(false, "progress", "/s", mapper, metrics, () -> {
            throw new AssertionError("no producer when progress events are off");
        });
        publisher.progressed(ctx(), progress(50, true));
        assertThat(registry.find(WorkerMetrics.PROGRESS_EVENTS).tag("result", "sent").counter().count()).isZero();
        publisher.close();
    }
}
