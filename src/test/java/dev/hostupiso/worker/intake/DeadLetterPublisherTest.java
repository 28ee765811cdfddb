package dev.hostupiso.worker.intake;

import dev.hostupiso.worker.timing.Delays;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.vertx.mutiny.core.Vertx;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterPublisherTest {

    private static final String DLQ = "requests-dlq";
    private final Vertx vertx = Vertx.vertx();
    private final List<ScriptedBroker> producers = new CopyOnWriteArrayList<>();
    private DeadLetterPublisher publisher;

    @AfterEach
    void tearDown() {
        if (publisher != null) {
            publisher.close();
        }
        vertx.closeAndAwait();
    }

    @Test
    void writesTheOriginalKeyValueBytesAndHeadersWithTheDeadLetterHeaders() {
        publisher = publisher(r -> null, 1024 * 1024);
        byte[] notUtf8 = {'{', '"', (byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0xaf, '"', '}'};
        byte[] key = {(byte) 0x80, 'k'};
        DeadLetter letter = new DeadLetter("requests", 2, 41, key, notUtf8,
                List.of(new RecordHeader("trace", new byte[]{(byte) 0xfe, 1})), "value is not UTF-8");

        await(publisher.publish(letter));

        ProducerRecord<byte[], byte[]> written = onlyWritten();
        assertThat(written.topic()).isEqualTo(DLQ);
        assertThat(written.value()).isEqualTo(notUtf8);
        assertThat(written.key()).isEqualTo(key);
        assertThat(written.headers().lastHeader("trace").value()).isEqualTo(new byte[]{(byte) 0xfe, 1});
        assertThat(header(written, DeadLetter.REASON)).isEqualTo("value is not UTF-8");
        assertThat(header(written, DeadLetter.TOPIC)).isEqualTo("requests");
        assertThat(header(written, DeadLetter.PARTITION)).isEqualTo("2");
        assertThat(header(written, DeadLetter.OFFSET)).isEqualTo("41");
        assertThat(written.headers().lastHeader(DeadLetter.TRUNCATED)).isNull();
    }

    @Test
    void aTombstoneIsDeadLetteredAsATombstone() {
        publisher = publisher(r -> null, 1024 * 1024);
        await(publisher.publish(new DeadLetter("requests", 0, 7, null, null, List.of(), "record has no value")));
        assertThat(onlyWritten().value()).isNull();
        assertThat(onlyWritten().headers().lastHeader(DeadLetter.TRUNCATED)).isNull();
    }

    @Test
    void aBrokerOutageIsRetriedAndTheResultWaitsUntilTheDeadLetterIsDurable() {
        AtomicInteger refusals = new AtomicInteger(3);
        publisher = publisher(r -> refusals.getAndDecrement() > 0 ? new TimeoutException("broker down") : null, 1024 * 1024);

        AtomicInteger writtenWhenDone = new AtomicInteger(-1);

        await(publisher.publish(letter(100)).invoke(() -> writtenWhenDone.set(written().size())));

        // It completed (and so lets the request record be acknowledged) only once the copy was written.
        assertThat(writtenWhenDone).hasValue(1);
        assertThat(attempts()).isEqualTo(4);
        assertThat(written()).hasSize(1);
        assertThat(producers).hasSize(1); // a retriable error keeps the producer
    }

    @Test
    void aNonRetriableErrorReplacesTheProducerAndIsRetried() {
        AtomicInteger refusals = new AtomicInteger(2);
        publisher = publisher(r -> refusals.getAndDecrement() > 0 ? new TopicAuthorizationException("no ACL yet") : null, 1024 * 1024);

        await(publisher.publish(letter(100)));

        assertThat(written()).hasSize(1);
        assertThat(producers).hasSize(3);
    }

    @Test
    void aRecordTooLargeForTheProducerIsWrittenAsATruncatedCopyAtOnce() {
        publisher = publisher(r -> null, 1024 * 1024);
        DeadLetter letter = letter(1_500_000);

        await(publisher.publish(letter));

        ProducerRecord<byte[], byte[]> written = onlyWritten();
        assertThat(attempts()).isEqualTo(1);
        assertThat(DeadLetter.estimatedSize(written)).isLessThanOrEqualTo(1024 * 1024);
        assertTruncatedCopyOf(letter, written);
        assertThat(written.value().length).isGreaterThan(1_000_000);
    }

    @Test
    void aRecordTooLargeForTheTopicIsCutUntilItFits() {
        // The topic's max.message.bytes (100 KB) is below the producer's limit: the broker refuses.
        publisher = publisher(r -> r.value() != null && r.value().length > 100_000
                ? new RecordTooLargeException("too large for the topic") : null, 1024 * 1024);
        DeadLetter letter = letter(300_000);

        await(publisher.publish(letter));

        ProducerRecord<byte[], byte[]> written = onlyWritten();
        assertThat(attempts()).isEqualTo(3); // whole 300 KB, 150 KB, 75 KB
        assertTruncatedCopyOf(letter, written);
        assertThat(written.value()).hasSize(75_000);
    }

    @Test
    void whenNoValueFitsOnlyTheDeadLetterHeadersAreWritten() {
        publisher = publisher(r -> r.key() != null ? new RecordTooLargeException("huge key") : null, 1024 * 1024);
        DeadLetter letter = new DeadLetter("requests", 1, 9, new byte[500_000], "{}".getBytes(StandardCharsets.UTF_8),
                List.of(), "value is not UTF-8");

        await(publisher.publish(letter));

        ProducerRecord<byte[], byte[]> written = onlyWritten();
        assertThat(written.key()).isNull();
        assertThat(written.value()).isEmpty();
        assertThat(header(written, DeadLetter.OFFSET)).isEqualTo("9");
        assertThat(header(written, DeadLetter.TRUNCATED)).isEqualTo("true");
        assertThat(header(written, DeadLetter.ORIGINAL_SIZE)).isEqualTo("2");
    }

    @Test
    void theCuttingSequenceEndsWithABareCopy() {
        DeadLetter letter = letter(10_000);
        List<Integer> limits = new ArrayList<>();
        int limit = DeadLetter.WHOLE;
        while (limit != DeadLetter.BARE) {
            limit = letter.smallerLimit(limit);
            limits.add(limit);
        }
        assertThat(limits).containsExactly(5_000, 2_500, 1_250, 0, DeadLetter.BARE);
        assertThat(letter.smallerLimit(DeadLetter.BARE)).isEqualTo(DeadLetter.BARE);
    }

    private static void assertTruncatedCopyOf(DeadLetter letter, ProducerRecord<byte[], byte[]> written) {
        assertThat(header(written, DeadLetter.TRUNCATED)).isEqualTo("true");
        assertThat(header(written, DeadLetter.ORIGINAL_SIZE)).isEqualTo(Integer.toString(letter.value().length));
        assertThat(header(written, DeadLetter.SHA256)).isEqualTo(DeadLetter.sha256(letter.value())).hasSize(64);
        assertThat(header(written, DeadLetter.REASON)).isEqualTo(letter.reason());
        assertThat(written.key()).isEqualTo(letter.key());
        byte[] prefix = java.util.Arrays.copyOf(letter.value(), written.value().length);
        assertThat(written.value()).isEqualTo(prefix);
    }

    private static DeadLetter letter(int size) {
        byte[] value = new byte[size];
        new Random(size).nextBytes(value);
        return new DeadLetter("requests", 0, 5, "k".getBytes(StandardCharsets.UTF_8), value, List.of(), "value is not UTF-8");
    }

    private DeadLetterPublisher publisher(Function<ProducerRecord<byte[], byte[]>, RuntimeException> broker, int maxRequestSize) {
        return new DeadLetterPublisher(() -> {
            ScriptedBroker p = new ScriptedBroker(broker);
            producers.add(p);
            return p;
        }, DLQ, maxRequestSize, attempt -> Duration.ofMillis(20), new Delays(vertx));
    }

    private static void await(io.smallrye.mutiny.Uni<Void> uni) {
        uni.subscribe().withSubscriber(UniAssertSubscriber.create()).awaitItem(Duration.ofSeconds(10));
    }

    private int attempts() {
        return producers.stream().mapToInt(p -> p.attempts.get()).sum();
    }

    private List<ProducerRecord<byte[], byte[]>> written() {
        return producers.stream().flatMap(p -> p.history().stream()).toList();
    }

    private ProducerRecord<byte[], byte[]> onlyWritten() {
        assertThat(written()).hasSize(1);
        return written().get(0);
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** A producer whose broker answers each send with {@code broker}'s error, or accepts it. */
    private static final class ScriptedBroker extends MockProducer<byte[], byte[]> {
        final AtomicInteger attempts = new AtomicInteger();
        private final Function<ProducerRecord<byte[], byte[]>, RuntimeException> broker;

        ScriptedBroker(Function<ProducerRecord<byte[], byte[]>, RuntimeException> broker) {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.broker = broker;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            attempts.incrementAndGet();
            RuntimeException refused = broker.apply(record);
            if (refused != null) {
                callback.onCompletion(null, refused);
                return java.util.concurrent.CompletableFuture.failedFuture(refused);
            }
            return super.send(record, callback);
        }
    }
}
