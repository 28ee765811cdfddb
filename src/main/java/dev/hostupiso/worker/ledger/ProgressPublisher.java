package dev.hostupiso.worker.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.config.TeamTopics;
import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.job.ProgressListener;
import dev.hostupiso.worker.kafka.KafkaClientConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.wire.DownloadProgress;
import dev.hostupiso.worker.wire.ProgressEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Publishes download progress as CloudEvents ({@code dev.hostupiso.iso.download.progress}, binary
 * mode like the outcomes) on the progress topic. Best effort by design: a plain producer
 * ({@code acks=1}, no idempotence, no transaction), fed through a small bounded queue on its own
 * thread, so a slow or absent broker can never block a poll or delay an outcome. What cannot be
 * sent is dropped, counted ({@code isoworker_progress_events_total{result="failed"}}) and logged at
 * debug. Off ({@code ISO_PROGRESS_ENABLED=false}), it creates no producer and sends nothing.
 */
@ApplicationScoped
public class ProgressPublisher implements ProgressListener {

    private static final Logger LOG = Logger.getLogger(ProgressPublisher.class);

    /** Events waiting for the sender thread; beyond it new ones are dropped (progress goes stale anyway). */
    static final int QUEUE = 1_000;

    private final boolean enabled;
    /** Request topic → its progress topic (a team with its own events topic gets its progress there). */
    private final UnaryOperator<String> topics;
    private final String source;
    private final ObjectMapper mapper;
    private final WorkerMetrics metrics;
    private final Supplier<Producer<String, String>> producerFactory;
    private final ThreadPoolExecutor sender;
    private volatile Producer<String, String> producer;

    @Inject
    public ProgressPublisher(WorkerConfig config, ObjectMapper mapper, WorkerMetrics metrics,
                             @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, TeamTopics teams) {
        this(config.progress().enabled(), teams::progressTopic, config.eventsSource(), mapper, metrics,
                producerFactory(kafkaConfig));
    }

    /** Every progress event on {@code topic}. */
    ProgressPublisher(boolean enabled, String topic, String source, ObjectMapper mapper, WorkerMetrics metrics,
                      Supplier<Producer<String, String>> producerFactory) {
        this(enabled, requestTopic -> topic, source, mapper, metrics, producerFactory);
    }

    ProgressPublisher(boolean enabled, UnaryOperator<String> topics, String source, ObjectMapper mapper, WorkerMetrics metrics,
                      Supplier<Producer<String, String>> producerFactory) {
        this.enabled = enabled;
        this.topics = topics;
        this.source = source;
        this.mapper = mapper;
        this.metrics = metrics;
        this.producerFactory = producerFactory;
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "isoworker-progress");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void progressed(JobContext ctx, DownloadProgress progress) {
        if (!enabled) {
            return;
        }
        ProgressEvent event = ProgressEvent.of(ctx.request(), ctx.jobId(), progress);
        String topic = topics.apply(ctx.topic());
        try {
            sender.execute(() -> send(event, topic));
        } catch (RejectedExecutionException e) {
            failed(event, "queue full or stopped");
        }
    }

    private void send(ProgressEvent event, String topic) {
        try {
            producer().send(record(event, topic), (metadata, failure) -> {
                if (failure == null) {
                    metrics.progressEvent(true);
                } else {
                    failed(event, failure.toString());
                }
            });
        } catch (RuntimeException e) { // serialization, a closed producer, max.block.ms passed
            failed(event, e.toString());
        }
    }

    private void failed(ProgressEvent event, String why) {
        metrics.progressEvent(false);
        LOG.debugf("requestId=%s progress event dropped: %s", event.requestId(), why);
    }

    private Producer<String, String> producer() {
        Producer<String, String> p = producer;
        if (p == null) {
            p = producerFactory.get(); // on the sender thread: creating a producer may block
            producer = p;
        }
        return p;
    }

    /** The event as a Kafka record on {@code topic}: CloudEvents binary mode, key = requestId. */
    ProducerRecord<String, String> record(ProgressEvent event, String topic) {
        return CloudEvents.record(mapper, topic, event, eventId(event), ProgressEvent.TYPE, source, event.requestId(),
                event.observedAt(), ProgressEvent.DATA_SCHEMA);
    }

    /** One id per (request, percentage, observation): a re-send after a retry keeps it. */
    static String eventId(ProgressEvent event) {
        return UUID.nameUUIDFromBytes((event.requestId() + "\nprogress\n" + event.percentage() + "\n" + event.observedAt())
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    @PreDestroy
    void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Producer<String, String> p = producer;
        if (p != null) {
            p.close(Duration.ofSeconds(2)); // what is still buffered is progress nobody needs after shutdown
        }
    }

    private static Supplier<Producer<String, String>> producerFactory(Map<String, Object> kafkaConfig) {
        Map<String, Object> props = KafkaClientConfig.shared(kafkaConfig);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.RETRIES_CONFIG, 2);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000); // on the sender thread only
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "isoworker-progress");
        return () -> new KafkaProducer<>(new HashMap<>(props));
    }
}
