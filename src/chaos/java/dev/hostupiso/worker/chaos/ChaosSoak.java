package dev.hostupiso.worker.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.localstack.WorkerProcess;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.simulator.SimulatorControl;
import dev.hostupiso.worker.simulator.SimulatorOptions;
import dev.hostupiso.worker.localstack.LocalStack;
import dev.hostupiso.worker.localstack.KafkaBrokerProcess;
import dev.hostupiso.worker.localstack.TopicWatcher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One chaos soak: a Kafka broker as its own process (free ports, restartable), the HostUp simulator with random
 * faults, and packaged worker processes; requests are sent while a seeded plan of disruptions (kill -9, SIGTERM,
 * SIGSTOP past the session timeout then SIGCONT, one broker restart) runs; then the fleet is healed, the run drains,
 * and the invariants are checked. The plan, the requests and the faults follow the seed; the timing is real.
 */
public final class ChaosSoak {

    static final String REQUESTS = LocalStack.REQUESTS;
    static final String EVENTS = LocalStack.EVENTS;
    static final String DLQ = LocalStack.DLQ;
    private static final String TOKEN = "chaos-soak-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** After the last outcome, how long to keep watching for a duplicate. */
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final ChaosConfig config;
    private final Path dir;
    private final Path jar;
    private final Consumer<String> log;

    /** A disruption of the plan, {@code at} after the start. */
    record Step(Duration at, Disruption what, int slot) {
    }

    public ChaosSoak(ChaosConfig config, Path dir, Path jar, Consumer<String> log) {
        this.config = config;
        this.dir = dir;
        this.jar = jar;
        this.log = log;
    }

    /** The disruption plan the seed gives. */
    static List<Step> plan(ChaosConfig c, Random random) {
        List<Step> steps = new ArrayList<>();
        long mean = c.disruptEvery().toMillis();
        long end = c.duration().toMillis();
        long t = 0;
        Disruption[] workerKinds = {Disruption.KILL, Disruption.TERM, Disruption.STOP_CONT};
        while (true) {
            t += (long) (mean * (0.5 + random.nextDouble()));
            if (t >= end) {
                break;
            }
            steps.add(new Step(Duration.ofMillis(t), workerKinds[random.nextInt(workerKinds.length)],
                    random.nextInt(c.workers())));
        }
        if (c.brokerRestart()) {
            steps.add(new Step(Duration.ofMillis(end * 4 / 10), Disruption.BROKER_RESTART, -1));
            steps.sort(java.util.Comparator.comparing(Step::at));
        }
        return steps;
    }

    public ChaosReport run() throws Exception {
        Instant startedAt = Instant.now();
        long t0 = System.nanoTime();
        Random random = new Random(config.seed());
        Files.createDirectories(dir);
        List<Step> plan = plan(config, random);
        log.accept("chaos: seed " + config.seed() + ", plan " + plan);
        try (LocalStack stack = LocalStack.builder(dir).token(TOKEN).partitions(6, 3).restartableBroker()
                .simulator(SimulatorOptions.builder().seed(config.seed()).maxRecordedCalls(0)).start(line -> { });
             SimulatorControl control = SimulatorControl.start(stack.hostup())) {
            KafkaBrokerProcess broker = stack.brokerProcess();
            HostUpSimulator sim = stack.hostup();
            String bootstrap = stack.bootstrapServers();
            log.accept("chaos: broker " + bootstrap + ", HostUp " + sim.baseUrl() + ", simulator control "
                    + control.baseUrl());

            List<String> ids = new ArrayList<>();
            List<String> bodies = new ArrayList<>();
            int vpsCount = Math.min(config.requests(), 200);
            long spread = config.jobMax().toMillis() - config.jobMin().toMillis();
            for (int v = 0; v < vpsCount; v++) {
                sim.vps(vpsId(v)).jobDuration(config.jobMin().plusMillis(spread == 0 ? 0 : (long) (random.nextDouble() * spread)));
            }
            for (int i = 0; i < config.requests(); i++) {
                String id = "chaos-" + config.seed() + "-" + i;
                String filename = id + ".iso"; // unique per request: a second download of it is the worker's doing
                ids.add(id);
                bodies.add(JSON.createObjectNode().put("requestId", id).put("vpsId", vpsId(i % vpsCount))
                        .put("url", "https://releases.example.org/" + filename).put("filename", filename).toString());
            }

            try (WorkerFleet fleet = new WorkerFleet(jar, workerEnv(stack), dir, config.workers());
                 TopicWatcher events = new TopicWatcher(bootstrap, EVENTS);
                 KafkaProducer<String, String> producer = producer(bootstrap)) {
                List<WorkerProcess> first = new ArrayList<>();
                for (int i = 0; i < fleet.size(); i++) {
                    first.add(fleet.launch(i));
                }
                for (WorkerProcess w : first) {
                    w.awaitReady(Duration.ofSeconds(120));
                }
                sim.faults(config.faults());
                log.accept("chaos: " + fleet.size() + " workers ready, faults on");
                long start = System.nanoTime();

                AtomicInteger acked = new AtomicInteger();
                Map<String, Exception> sendErrors = new ConcurrentHashMap<>();
                Thread sender = new Thread(() -> send(producer, ids, bodies, start, acked, sendErrors), "chaos-sender");
                sender.start();

                List<String> done = Collections.synchronizedList(new ArrayList<>());
                for (Step s : plan) {
                    sleepUntil(start, s.at());
                    String line = apply(s, fleet, broker);
                    String entry = String.format(java.util.Locale.ROOT, "t+%ds %s", s.at().toSeconds(), line);
                    done.add(entry);
                    log.accept("chaos: " + entry + " (outcomes so far " + outcomes(events, ids).values().stream()
                            .filter(n -> n > 0).count() + "/" + ids.size() + ")");
                }
                sleepUntil(start, config.duration());
                sender.join();
                fleet.heal();
                log.accept("chaos: disruptions over, fleet healed, " + acked.get() + " sent; draining");

                long drainEnd = System.nanoTime() + config.drainTimeout().toNanos();
                while (System.nanoTime() < drainEnd && outcomes(events, ids).containsValue(0)) {
                    Thread.sleep(500);
                }
                Thread.sleep(GRACE.toMillis());
                Map<String, Integer> perId = outcomes(events, ids);
                Map<String, Long> statuses = new TreeMap<>();
                for (ConsumerRecord<String, String> r : events.records(EVENTS)) {
                    statuses.merge(status(r), 1L, Long::sum);
                }
                if (!sendErrors.isEmpty()) {
                    log.accept("chaos: " + sendErrors.size() + " requests could not be sent: " + sendErrors.keySet());
                }
                return new ChaosReport(config, startedAt, Duration.ofNanos(System.nanoTime() - t0), acked.get(), perId,
                        statuses, sim.secondDownloads(), sim.filesDownloadedTwice(), sim.faultsInjected(),
                        List.copyOf(done), fleet.launched());
            }
        }
    }

    private String apply(Step s, WorkerFleet fleet, KafkaBrokerProcess broker) throws Exception {
        if (s.what() == Disruption.BROKER_RESTART) {
            broker.stop();
            Thread.sleep(5000);
            broker.restart();
            return "broker restarted (down 5 s)";
        }
        int slot = s.slot();
        WorkerProcess w = fleet.get(slot);
        if (w == null || !w.isAlive()) {
            fleet.launch(slot);
            return "worker " + slot + " was not running: started a new one (planned " + s.what() + ")";
        }
        switch (s.what()) {
            case KILL:
                fleet.kill(slot);
                Thread.sleep(2000);
                fleet.launch(slot);
                return "kill -9 worker " + slot + " (pid " + w.pid() + "), replaced";
            case TERM: {
                long began = System.nanoTime();
                int exit = fleet.term(slot, Duration.ofSeconds(30));
                fleet.launch(slot);
                return "SIGTERM worker " + slot + " (pid " + w.pid() + ", exit " + exit + " after "
                        + Duration.ofNanos(System.nanoTime() - began).toMillis() + " ms), replaced";
            }
            default: {
                Duration pause = config.sessionTimeout().plusSeconds(3);
                fleet.pause(slot);
                Thread.sleep(pause.toMillis());
                fleet.resume(slot);
                return "SIGSTOP worker " + slot + " (pid " + w.pid() + ") for " + pause.toSeconds() + " s, then SIGCONT";
            }
        }
    }

    private void send(KafkaProducer<String, String> producer, List<String> ids, List<String> bodies, long start,
                      AtomicInteger acked, Map<String, Exception> errors) {
        long window = config.duration().toNanos() * 6 / 10;
        List<java.util.concurrent.Future<?>> pending = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            long due = start + window * i / ids.size();
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            String id = ids.get(i);
            pending.add(producer.send(new ProducerRecord<>(REQUESTS, id, bodies.get(i)), (md, e) -> {
                if (e == null) {
                    acked.incrementAndGet();
                } else {
                    errors.put(id, e);
                }
            }));
        }
        producer.flush();
    }

    private Map<String, String> workerEnv(LocalStack stack) {
        Map<String, String> env = new HashMap<>(stack.workerEnv());
        env.put("HOSTUP_API_REQUEST_TIMEOUT", config.requestTimeout().toMillis() + "ms");
        env.put("ISO_POLL_INITIAL_DELAY", "300ms");
        env.put("ISO_POLL_MAX_DELAY", "1s");
        env.put("ISO_JOB_TIMEOUT", "10m");
        // Longer than the longest simulated download, as the README advises: an ambiguous from-url answer is then
        // settled by the library (no second download), and one that queued nothing is retried within seconds.
        env.put("ISO_SUBMIT_AMBIGUITY_WINDOW", Math.max(20, 3 * config.jobMax().toSeconds()) + "s");
        env.put("KAFKA_SESSION_TIMEOUT_MS", Long.toString(config.sessionTimeout().toMillis()));
        env.put("KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
        return env;
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // Ride out the broker restart instead of failing sends.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
        return new KafkaProducer<>(p);
    }

    /** requestId to the number of committed outcomes seen, for every id (0 included), in id order. */
    private static Map<String, Integer> outcomes(TopicWatcher events, List<String> ids) {
        Map<String, Integer> counts = new HashMap<>();
        for (ConsumerRecord<String, String> r : events.records(EVENTS)) {
            counts.merge(r.key(), 1, Integer::sum);
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String id : ids) {
            out.put(id, counts.getOrDefault(id, 0));
        }
        return out;
    }

    private static String status(ConsumerRecord<String, String> r) {
        try {
            return JSON.readTree(r.value()).path("status").asText("?");
        } catch (Exception e) {
            return "unparsable";
        }
    }

    private static void sleepUntil(long start, Duration at) throws InterruptedException {
        long wait = start + at.toNanos() - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000);
        }
    }

    static String vpsId(int v) {
        return String.format("vps_chaos%04d", v);
    }
}
