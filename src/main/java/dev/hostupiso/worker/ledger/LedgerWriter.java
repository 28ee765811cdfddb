package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.Backoff;
import dev.hostupiso.worker.job.RetryPolicy;
import dev.hostupiso.worker.kafka.KafkaClientConfig;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.timing.Delays;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Writes ledger records and outcome events, so that an outcome and its terminal ledger record are
 * published together or not at all, and only by the current owner of their partition.
 * <p>
 * Each owned request partition has its own {@link PartitionWriter} for the time it is assigned here
 * (an <em>assignment</em>, numbered by an epoch): its transactional id is derived from the request
 * topic-partition (for the shared request topic, from the ledger partition alone, as before there
 * were team topics), so taking a partition over fences whoever had it before, however long that instance
 * was paused. A write names the assignment it was made under; once that assignment has ended (the
 * partition was revoked, lost, fenced, or handed back and assigned again) the write is never
 * committed and fails with {@link NotOwnerException}.
 * <p>
 * A writer that ended on its own (fenced, or unsure whether its last commit landed) leaves its
 * partition <em>orphaned</em>: the consumer still holds it but nothing here may write it. It stays
 * so, visible in {@link #orphaned()}, until the partition is released or opened afresh.
 */
@ApplicationScoped
public class LedgerWriter {

    private static final Logger LOG = Logger.getLogger(LedgerWriter.class);

    /** Kafka calls are bounded by the producer's own timeouts; one that runs this long is wedged. */
    static final Duration WEDGED_AFTER = Duration.ofMinutes(5);
    /** Transactions failing for this long take the instance out of readiness. */
    static final Duration STALLED_AFTER = Duration.ofSeconds(15);

    private final Map<TopicPartition, PartitionWriter> writers = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> failingSince = new ConcurrentHashMap<>();
    private final java.util.Set<TopicPartition> orphaned = ConcurrentHashMap.newKeySet();
    private final java.util.function.Function<TopicPartition, Producer<String, String>> producers;
    private final List<Consumer<TopicPartition>> lostListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong epochs = new AtomicLong();
    private final Map<String, Object> producerConfig;
    private final String transactionalIdPrefix;
    private final String sharedRequests;
    private final int maxRecordBytes;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Executor eventLoop;
    private final LedgerRetry retry;

    @Inject
    public LedgerWriter(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, WorkerConfig config,
                        WorkerMetrics metrics, Clock clock, Vertx vertx, Delays delays, RandomGenerator random) {
        this(kafkaConfig, config.ledger().transactionalIdPrefix() + "-" + config.ledgerTopic() + "-", config.requestsTopic(),
                metrics, clock, task -> vertx.getDelegate().runOnContext(v -> task.run()), retry(random, delays::after));
    }

    /**
     * @param transactionalIdPrefix the partition number is appended (after the topic and a {@code /}
     *                              for a request topic other than {@code sharedRequests}): one
     *                              transactional id per request topic-partition
     * @param eventLoop             where a job continues after its write committed
     */
    LedgerWriter(Map<String, Object> kafkaConfig, String transactionalIdPrefix, String sharedRequests, WorkerMetrics metrics,
                 Clock clock, Executor eventLoop) {
        this(kafkaConfig, transactionalIdPrefix, sharedRequests, metrics, clock, eventLoop, retry(new Random(), LedgerWriter::timer));
    }

    private LedgerWriter(Map<String, Object> kafkaConfig, String transactionalIdPrefix, String sharedRequests,
                         WorkerMetrics metrics, Clock clock, Executor eventLoop, LedgerRetry retry) {
        this(null, producerConfig(kafkaConfig), transactionalIdPrefix, sharedRequests,
                KafkaClientConfig.maxRequestSize(kafkaConfig) - 1024, // room for the batch and record overhead
                metrics, clock, eventLoop, retry);
    }

    private static Map<String, Object> producerConfig(Map<String, Object> kafkaConfig) {
        Map<String, Object> props = KafkaClientConfig.shared(kafkaConfig);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return props;
    }

    /** A writer whose producers come from {@code producers} (one per partition and assignment): for tests. */
    LedgerWriter(java.util.function.Function<TopicPartition, Producer<String, String>> producers, String sharedRequests,
                 int maxRecordBytes, WorkerMetrics metrics, Clock clock, Executor eventLoop) {
        this(producers, sharedRequests, maxRecordBytes, metrics, clock, eventLoop, retry(new Random(), LedgerWriter::timer));
    }

    /** A writer whose producers come from {@code producers} and who waits as {@code retry} says: for tests. */
    LedgerWriter(java.util.function.Function<TopicPartition, Producer<String, String>> producers, String sharedRequests,
                 int maxRecordBytes, WorkerMetrics metrics, Clock clock, Executor eventLoop, LedgerRetry retry) {
        this(producers, Map.of(), "", sharedRequests, maxRecordBytes, metrics, clock, eventLoop, retry);
    }

    /** The one constructor that sets the fields; {@code producers} null: made from {@code producerConfig}. */
    private LedgerWriter(java.util.function.Function<TopicPartition, Producer<String, String>> producers,
                         Map<String, Object> producerConfig, String transactionalIdPrefix, String sharedRequests,
                         int maxRecordBytes, WorkerMetrics metrics, Clock clock, Executor eventLoop, LedgerRetry retry) {
        this.retry = retry;
        this.sharedRequests = sharedRequests;
        this.metrics = metrics;
        this.clock = clock;
        this.eventLoop = eventLoop;
        this.maxRecordBytes = maxRecordBytes;
        this.producerConfig = producerConfig;
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.producers = producers != null ? producers : this::producer;
        metrics.bindLedgerHealth(() -> isCommitting() ? 0 : 1);
        metrics.bindLedgerOrphaned(orphaned::size);
    }

    /**
     * Starts writers for newly assigned {@code partitions} (blocking, in parallel): each fences the
     * partition's previous owner and aborts its open transaction. Answers each partition's epoch.
     */
    public Map<TopicPartition, Long> open(Collection<TopicPartition> partitions) {
        Map<TopicPartition, PartitionWriter> started = new HashMap<>();
        List<CompletableFuture<Void>> inits = new ArrayList<>();
        for (TopicPartition p : partitions) {
            PartitionWriter old = writers.remove(p);
            if (old != null) {
                old.close(Duration.ofSeconds(10));
            }
            orphaned.remove(p);
            PartitionWriter w = new PartitionWriter(p.partition(), epochs.incrementAndGet(), () -> producers.apply(p),
                    new RecordSizeLimit(maxRecordBytes), metrics, clock, listener(p), retry);
            started.put(p, w);
            inits.add(CompletableFuture.runAsync(w::start, r -> new Thread(r, "ledger-init-" + p).start()));
        }
        CompletableFuture.allOf(inits.toArray(CompletableFuture[]::new)).join();
        Map<TopicPartition, Long> epochsByPartition = new HashMap<>();
        started.forEach((p, w) -> {
            writers.put(p, w);
            epochsByPartition.put(p, w.epoch());
        });
        return epochsByPartition;
    }

    /** Ends the assignments of {@code partitions}: nothing queued under them is committed any more. */
    public void close(Collection<TopicPartition> partitions) {
        for (TopicPartition p : partitions) {
            PartitionWriter w = writers.remove(p);
            failingSince.remove(p);
            orphaned.remove(p);
            if (w != null) {
                w.close(Duration.ofSeconds(10));
            }
        }
    }

    /**
     * Runs {@code listener} with a partition whose writer ended on its own: fenced (another instance
     * owns it now) or unsure what it committed. Either way its jobs must stop here.
     */
    public void onPartitionLost(Consumer<TopicPartition> listener) {
        lostListeners.add(listener);
    }

    /**
     * Queues {@code records} for the next transaction of {@code partition}'s assignment {@code epoch};
     * completes with their metadata once committed. Fails with {@link NotOwnerException} when that
     * assignment has ended, and with {@link RecordRejectedException} when Kafka refuses the records
     * themselves.
     */
    public Uni<List<RecordMetadata>> write(TopicPartition partition, long epoch, List<ProducerRecord<String, String>> records) {
        return Uni.createFrom().deferred(() -> {
            PartitionWriter w = writers.get(partition);
            if (w == null || w.epoch() != epoch || !w.isOpen()) {
                return Uni.createFrom().failure(new NotOwnerException());
            }
            // Continue the job on an event loop: the writer thread must stay free for the next transaction.
            return Uni.createFrom().completionStage(w.write(records)).emitOn(eventLoop);
        });
    }

    /** The epoch of {@code partition}'s current assignment here, or -1 when it is not owned. */
    public long epochOf(TopicPartition partition) {
        PartitionWriter w = writers.get(partition);
        return w == null || !w.isOpen() ? -1 : w.epoch();
    }

    /** Partitions whose writer ended on its own and that were neither released nor opened afresh since. */
    public java.util.Set<TopicPartition> orphaned() {
        return java.util.Set.copyOf(orphaned);
    }

    /** False while some partition's transactions have been failing for a while (readiness DOWN). */
    public boolean isCommitting() {
        long now = clock.millis();
        return failingSince.values().stream().noneMatch(since -> now - since > STALLED_AFTER.toMillis());
    }

    /** True when a producer call has hung far past Kafka's own timeouts: a restart is the fix (liveness DOWN). */
    public boolean isWedged() {
        return writers.values().stream().anyMatch(w -> w.busyNanos() > WEDGED_AFTER.toNanos());
    }

    /** What the writer of request {@code partition} reports (its own ledger partition number aside). */
    private PartitionWriter.Listener listener(TopicPartition partition) {
        return new PartitionWriter.Listener() {
            @Override
            public void commitFailed(int ledgerPartition, Exception cause) {
                failingSince.putIfAbsent(partition, clock.millis());
            }

            @Override
            public void committed(int ledgerPartition) {
                failingSince.remove(partition);
            }

            @Override
            public void ended(int ledgerPartition, long epoch, String reason) {
                PartitionWriter current = writers.get(partition);
                if (current != null && current.epoch() == epoch && writers.remove(partition, current)) {
                    failingSince.remove(partition);
                    orphaned.add(partition);
                    lostListeners.forEach(l -> l.accept(partition));
                }
            }
        };
    }

    /** Transactions tried again after the project's jittered backoff, from 100 ms to 5 s. */
    static LedgerRetry retry(RandomGenerator random, java.util.function.Function<Duration, Uni<Void>> waits) {
        return new LedgerRetry(new Backoff(new RetryPolicy(LedgerRetry.INITIAL, LedgerRetry.MAX, LedgerRetry.MAX), random), waits);
    }

    /** A wait on Mutiny's scheduler, for writers made without Vert.x. */
    private static Uni<Void> timer(Duration delay) {
        return Uni.createFrom().voidItem().onItem().delayIt().by(delay);
    }

    private Producer<String, String> producer(TopicPartition partition) {
        String suffix = partition.topic().equals(sharedRequests) ? String.valueOf(partition.partition())
                : partition.topic() + "/" + partition.partition(); // '/' is in no topic name: ids cannot collide
        Map<String, Object> props = new HashMap<>(producerConfig);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalIdPrefix + suffix);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "isoworker-ledger-" + suffix.replace('/', '-'));
        return new KafkaProducer<>(props);
    }

    @PreDestroy
    void stop() {
        LOG.debugf("closing %d ledger writer(s)", writers.size());
        close(List.copyOf(writers.keySet()));
    }

    /** The write's partition is no longer this instance's (revoked, lost, or fenced by the next owner). */
    public static final class NotOwnerException extends RuntimeException {
        public NotOwnerException() {
            super("partition no longer owned by this instance", null, false, false);
        }
    }

    /** Kafka refused the write itself (too large, not serializable): retrying cannot help. */
    public static final class RecordRejectedException extends RuntimeException {
        public RecordRejectedException(String message) {
            super(message, null, false, false);
        }
    }
}
