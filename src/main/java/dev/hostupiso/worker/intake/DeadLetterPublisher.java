package dev.hostupiso.worker.intake;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.job.Backoff;
import dev.hostupiso.worker.kafka.KafkaClientConfig;
import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.timing.Delays;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Writes dead letters with its own idempotent producer ({@code acks=all}, byte values), so that a
 * dead letter is the original record: key, value bytes and headers, plus the dead-letter headers.
 * <ul>
 * <li>A record too large even for the dead-letter topic is written as a truncated copy that says so
 * ({@link DeadLetter#toRecord}): intake never stops on a record's size.</li>
 * <li>Any other failure (broker down, authorization) is retried with backoff until it succeeds; the
 * caller acknowledges the request record only then, so its offset never passes an unwritten dead
 * letter.</li>
 * <li>{@code send()} may block (metadata, a full buffer): it runs on this publisher's own thread,
 * never on an event loop; the result continues on the caller's Vert.x context.</li>
 * </ul>
 */
@ApplicationScoped
public class DeadLetterPublisher {

    private static final Logger LOG = Logger.getLogger(DeadLetterPublisher.class);

    private final Supplier<Producer<byte[], byte[]>> producerFactory;
    private final String dlqTopic;
    private final int maxRequestSize;
    private final IntFunction<Duration> backoff;
    private final Delays delays;
    private final ExecutorService sender;
    private volatile Producer<byte[], byte[]> producer;
    private volatile boolean running = true;

    @Inject
    public DeadLetterPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, WorkerConfig config,
                               Backoff backoff, Delays delays) {
        this(producerFactory(kafkaConfig), config.dlqTopic(), KafkaClientConfig.maxRequestSize(kafkaConfig), backoff::backoff,
                delays);
    }

    DeadLetterPublisher(Supplier<Producer<byte[], byte[]>> producerFactory, String dlqTopic, int maxRequestSize,
                        IntFunction<Duration> backoff, Delays delays) {
        if (maxRequestSize <= 0) {
            throw new IllegalArgumentException("max.request.size must be positive, got " + maxRequestSize);
        }
        this.producerFactory = producerFactory;
        this.dlqTopic = dlqTopic;
        this.maxRequestSize = maxRequestSize;
        this.backoff = backoff;
        this.delays = delays;
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dead-letter-publisher");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Writes {@code letter} to the dead-letter topic; completes once it is durable (acknowledged by
     * all in-sync replicas). Never fails while the worker runs: failures are retried. On shutdown it
     * stays pending, leaving the request record unacknowledged for the next owner.
     */
    public Uni<Void> publish(DeadLetter letter) {
        Context context = Vertx.currentContext();
        Attempt attempt = new Attempt(letter.firstLimit(dlqTopic, maxRequestSize));
        return AsyncLoop.untilPresent(() -> attempt(letter, attempt, context)).replaceWithVoid();
    }

    /** Where writing one dead letter stands: the value bytes it may take, failures at that size. */
    private static final class Attempt {
        int limit;
        int failures;

        Attempt(int limit) {
            this.limit = limit;
        }
    }

    /** One try: present once written, empty to try again (smaller at once, or after a backoff). */
    private Uni<Optional<Boolean>> attempt(DeadLetter letter, Attempt attempt, Context context) {
        ProducerRecord<byte[], byte[]> record = letter.toRecord(dlqTopic, attempt.limit);
        if (attempt.limit != DeadLetter.WHOLE && attempt.failures == 0) {
            LOG.warnf("dead letter of %s-%d@%d truncated from %d to %d value bytes: too large for the dead-letter topic",
                    letter.topic(), letter.partition(), letter.offset(), letter.valueSize(), record.value() == null ? 0 : record.value().length);
        }
        return send(record, context).replaceWith(Optional.of(Boolean.TRUE)).onFailure().recoverWithUni(f -> {
            if (!running) {
                return Uni.createFrom().nothing();
            }
            if (f instanceof RecordTooLargeException && attempt.limit != DeadLetter.BARE) {
                attempt.limit = letter.smallerLimit(attempt.limit);
                attempt.failures = 0;
                return Uni.createFrom().item(Optional.empty());
            }
            Duration wait = backoff.apply(attempt.failures++);
            LOG.warnf("dead letter of %s-%d@%d not written yet (%s: %s); retrying in %d ms", letter.topic(),
                    letter.partition(), letter.offset(), f.getClass().getSimpleName(), f.getMessage(), wait.toMillis());
            if (!(f instanceof RetriableException) && !(f instanceof RecordTooLargeException)) {
                // A non-retriable error may have left the producer in an error state: start afresh.
                discardProducer();
            }
            return AsyncLoop.again(delays.after(wait).emitOn(on(context)));
        });
    }

    private Uni<Void> send(ProducerRecord<byte[], byte[]> record, Context context) {
        Uni<Void> sent = Uni.createFrom().emitter(emitter -> {
            try {
                sender.execute(() -> {
                    try {
                        producer().send(record, (metadata, error) -> {
                            if (error == null) {
                                emitter.complete(null);
                            } else {
                                emitter.fail(error);
                            }
                        });
                    } catch (RuntimeException e) {
                        emitter.fail(e);
                    }
                });
            } catch (RejectedExecutionException stopped) {
                emitter.fail(stopped);
            }
        });
        return sent.emitOn(on(context));
    }

    private static java.util.concurrent.Executor on(Context context) {
        return context == null ? Runnable::run : task -> context.runOnContext(v -> task.run());
    }

    /** Only on the sender thread. */
    private Producer<byte[], byte[]> producer() {
        Producer<byte[], byte[]> p = producer;
        if (p == null) {
            p = producerFactory.get();
            producer = p;
        }
        return p;
    }

    private void discardProducer() {
        try {
            sender.execute(() -> {
                Producer<byte[], byte[]> p = producer;
                producer = null;
                if (p != null) {
                    try {
                        p.close(Duration.ZERO);
                    } catch (KafkaException ignored) {
                        // a broken producer may fail to close too
                    }
                }
            });
        } catch (RejectedExecutionException stopped) {
            // shutting down: close() takes care of it
        }
    }

    @PreDestroy
    void close() {
        running = false;
        sender.shutdown();
        try {
            if (!sender.awaitTermination(5, TimeUnit.SECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Producer<byte[], byte[]> p = producer;
        if (p != null) {
            p.close(Duration.ofSeconds(5));
        }
    }

    private static Supplier<Producer<byte[], byte[]>> producerFactory(Map<String, Object> kafkaConfig) {
        Map<String, Object> props = KafkaClientConfig.shared(kafkaConfig);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "isoworker-dead-letters");
        return () -> new KafkaProducer<>(new HashMap<>(props));
    }
}
