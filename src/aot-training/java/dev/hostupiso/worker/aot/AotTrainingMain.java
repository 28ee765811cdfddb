package dev.hostupiso.worker.aot;

import dev.hostupiso.worker.localstack.WorkerProcess;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.simulator.JobEnvelope;
import dev.hostupiso.worker.simulator.RetryAfterStyle;
import dev.hostupiso.worker.localstack.LocalStack;
import dev.hostupiso.worker.localstack.TopicWatcher;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run of the JDK AOT cache ({@code -XX:AOTCacheOutput}, JDK 25+) that the container
 * image ships and the benchmarks measure. A cache is only as good as the run that recorded it, so
 * this one does real work: it starts a KRaft broker and the HostUp simulator in this JVM ({@link LocalStack}), runs
 * the packaged worker against them, sends requests down every path the worker has in production
 * (from-url 200 and 202, both job envelopes, failed jobs, a 429 with Retry-After, invalid and
 * poison records), waits for every outcome, then stops the worker with SIGTERM, at which the JVM
 * writes the cache.
 *
 * <p>The worker is run by the JVM running this class, so the cache matches that JDK exactly (the
 * image runs this in a build stage on its own runtime base image).
 *
 * <p>Arguments: {@code <quarkus-run.jar> <cache file> [worker JVM options...]}.
 */
public final class AotTrainingMain {

    private static final String TOKEN = "aot-training-token-not-a-real-key";
    private static final int REQUESTS_PER_KIND = 8;

    private AotTrainingMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: AotTrainingMain <quarkus-run.jar> <cache file> [worker JVM options...]");
            System.exit(2);
        }
        List<String> jvm = Arrays.stream(args).skip(2).filter(a -> !a.isBlank()).toList();
        Path work = Files.createTempDirectory("aot-training");
        Duration took = train(Path.of(System.getProperty("java.home")), Path.of(args[0]), Path.of(args[1]), jvm, work);
        try (Stream<Path> files = Files.walk(work)) { // the broker's logs must not end up in an image layer
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        say("AOT cache written to " + args[1] + " (" + Files.size(Path.of(args[1])) / 1048576 + " MiB) in "
                + took.toSeconds() + " s");
    }

    /**
     * Records {@code cache} for the worker {@code jar} run by {@code javaHome} (a JDK 25 or later)
     * with {@code jvmOptions}; answers how long the whole run took.
     */
    public static Duration train(Path javaHome, Path jar, Path cache, List<String> jvmOptions, Path work) throws Exception {
        Instant start = Instant.now();
        Files.deleteIfExists(cache);
        try (LocalStack stack = LocalStack.builder(work).token(TOKEN).script(AotTrainingMain::script)
                .start(AotTrainingMain::say)) {
            List<String> options = new ArrayList<>(jvmOptions);
            options.add("-XX:AOTCacheOutput=" + cache.toAbsolutePath());
            Path log = work.resolve("worker.log");
            say("training the AOT cache with " + javaHome + "; worker log in " + log);
            HostUpSimulator hostup = stack.hostup();
            try (WorkerProcess worker = stack.launchWorker(javaHome, jar, Map.of(
                    "ISO_POLL_INITIAL_DELAY", "100ms",
                    "ISO_POLL_MAX_DELAY", "400ms"), options, log);
                 TopicWatcher events = new TopicWatcher(stack.bootstrapServers(), LocalStack.EVENTS, LocalStack.DLQ);
                 KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                         ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                         ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
                worker.awaitReady(Duration.ofSeconds(120));
                Map<String, String> outcomes = new LinkedHashMap<>(); // requestId -> topic its outcome lands on
                for (int i = 0; i < REQUESTS_PER_KIND; i++) {
                    for (String kind : List.of("queued", "legacy", "exists", "fails")) {
                        String vps = "vps_01aot" + kind;
                        String id = "aot-" + kind + "-" + i;
                        send(producer, id, "{\"requestId\":\"" + id + "\",\"vpsId\":\"" + vps
                                + "\",\"url\":\"https://mirror.example.org/images/" + id + ".iso\",\"filename\":\"" + id + ".iso\"}");
                        outcomes.put(id, "iso-download-events");
                    }
                    String invalid = "aot-invalid-" + i;
                    send(producer, invalid, "{\"requestId\":\"" + invalid + "\",\"vpsId\":\"vps_01aotqueued\",\"url\":\"ftp://x/y.iso\"}");
                    outcomes.put(invalid, "iso-download-events");
                    String poison = "aot-poison-" + i;
                    send(producer, poison, "not json at all " + i);
                    outcomes.put(poison, "iso-download-requests-dlq");
                }
                Instant deadline = Instant.now().plusSeconds(120);
                for (Map.Entry<String, String> o : outcomes.entrySet()) {
                    events.awaitKey(o.getValue(), o.getKey(), Duration.between(Instant.now(), deadline));
                }
                say(outcomes.size() + " requests handled (" + hostup.totalCalls() + " API calls); stopping the worker");
                worker.get("/q/metrics"); // the scrape path too
                int exit = worker.stop(Duration.ofMinutes(5)); // the JVM assembles the cache before it exits; 143 = after SIGTERM
                if ((exit != 0 && exit != 143) || !Files.isRegularFile(cache) || Files.size(cache) == 0) {
                    throw new IllegalStateException("no AOT cache written (worker exit " + exit + "); see " + log);
                }
            }
        }
        return Duration.between(start, Instant.now());
    }

    /** Every path the worker has in production: 202 and 200 from-url, both envelopes, failures, a 429. */
    private static void script(HostUpSimulator hostup) {
        hostup.vps("vps_01aotqueued").jobDuration(Duration.ofMillis(300));
        hostup.vps("vps_01aotlegacy").jobDuration(Duration.ofMillis(300)).envelope(JobEnvelope.V1_GENERIC);
        hostup.vps("vps_01aotexists").preexisting("rescue.iso", "iso_01aotrescue");
        hostup.vps("vps_01aotfails").failJobs("the origin server answered 404 Not Found");
        // A window small enough to be hit: the worker must read the headers, wait and retry.
        hostup.rateLimit(40, Duration.ofSeconds(1), RetryAfterStyle.SECONDS);
    }

    private static void send(KafkaProducer<String, String> producer, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>("iso-download-requests", key, value)).get();
    }

    private static void say(String s) {
        System.out.println("[aot-training] " + s);
    }
}
