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
    /** The workers' ledger topic (their default). */
    static final String LEDGER = "iso-download-jobs";
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
        List<Disruption> kinds = c.kinds();
        while (steps.size() < c.maxDisruptions()) {
            t += (long) (mean * (0.5 + random.nextDouble()));
            if (t >= end) {
                break;
            }
            steps.add(new Step(Duration.ofMillis(t), kinds.get(random.nextInt(kinds.size())), random.nextInt(c.workers())));
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
        if (config.partitions()) {
            java.util.Optional<String> why = NetworkPartitions.unusable();
            if (why.isPresent()) {
                throw new IllegalStateException("network partitions asked for, but " + why.get());
            }
        }
        try (NetworkPartitions nets = config.partitions()
                ? NetworkPartitions.create(config.workers(), ProcessHandle.current().pid()) : null;
             LocalStack stack = LocalStack.builder(dir).token(TOKEN).partitions(6, 3)
                .restartableBroker(nets == null ? List.of() : brokerHosts(nets))
                .simulator(SimulatorOptions.builder().seed(config.seed()).maxRecordedCalls(0)).start(line -> { });
             SimulatorControl control = SimulatorControl.start(stack.hostup());
             Relays relays = new Relays(nets, stack.hostup().port());
             ChaosOrigin origin = new ChaosOrigin(nets == null ? "127.0.0.1" : nets.originHost())) {
            if (nets != null) {
                nets.routeToOrigin();
            }
            KafkaBrokerProcess broker = stack.brokerProcess();
            HostUpSimulator sim = stack.hostup();
            String bootstrap = stack.bootstrapServers();
            log.accept("chaos: broker " + bootstrap + ", HostUp " + sim.baseUrl() + ", simulator control "
                    + control.baseUrl() + ", download origin " + origin.baseUrl());

            List<String> ids = new ArrayList<>();
            List<String> bodies = new ArrayList<>();
            int vpsCount = Math.min(config.requests(), 200);
            long spread = config.jobMax().toMillis() - config.jobMin().toMillis();
            Duration[] downloads = new Duration[vpsCount];
            for (int v = 0; v < vpsCount; v++) {
                // One VPS in ten downloads for longer than the ambiguity window, so that the window really opens.
                downloads[v] = v % 10 == 9 && !config.longJob().isZero() ? config.longJob()
                        : config.jobMin().plusMillis(spread == 0 ? 0 : (long) (random.nextDouble() * spread));
                sim.vps(vpsId(v)).jobDuration(downloads[v]);
            }
            for (int i = 0; i < config.requests(); i++) {
                String id = "chaos-" + config.seed() + "-" + i;
                String filename = id + ".iso"; // unique per request: a second download of it is the worker's doing
                ids.add(id);
                bodies.add(JSON.createObjectNode().put("requestId", id).put("vpsId", vpsId(i % vpsCount))
                        .put("url", origin.file(filename, bytesFor(downloads[i % vpsCount])))
                        .put("filename", filename).toString());
            }

            try (WorkerFleet fleet = new WorkerFleet(jar, slot -> workerEnv(stack, nets, relays, origin, slot), nets,
                    List.of("-Dkafka.transaction.timeout.ms=" + config.txTimeout().toMillis()), dir, config.workers());
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
                    String line = apply(s, fleet, broker, nets);
                    String entry = String.format(java.util.Locale.ROOT, "t+%ds %s", s.at().toSeconds(), line);
                    done.add(entry);
                    log.accept("chaos: " + entry + " (outcomes so far " + outcomes(events, ids).values().stream()
                            .filter(n -> n > 0).count() + "/" + ids.size() + ")");
                }
                sleepUntil(start, config.duration());
                sender.join();
                if (nets != null) {
                    for (int k = 0; k < nets.size(); k++) {
                        nets.heal(k, NetworkPartitions.Link.BROKER);
                        nets.heal(k, NetworkPartitions.Link.HOSTUP);
                    }
                }
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
                ChaosCounts counts = ChaosCounts.of(ids, events.records(EVENTS), LedgerReader.readAll(bootstrap, LEDGER),
                        sim.fromUrlCalls(), sim.downloadsStarted());
                return new ChaosReport(config, startedAt, Duration.ofNanos(System.nanoTime() - t0), acked.get(), perId,
                        statuses, sim.secondDownloads(), sim.filesDownloadedTwice(), sim.faultsInjected(),
                        List.copyOf(done), fleet.launched(), counts, origin.heads(), origin.refused());
            }
        }
    }

    private String apply(Step s, WorkerFleet fleet, KafkaBrokerProcess broker, NetworkPartitions nets) throws Exception {
        if (s.what().isPartition()) {
            return partition(s, fleet, nets);
        }
        if (s.what() == Disruption.BROKER_RESTART) {
            broker.stop();
            Thread.sleep(5000);
            long down = System.nanoTime();
            for (int attempt = 1; ; attempt++) {
                try {
                    broker.restart();
                    break;
                } catch (IllegalStateException slow) {
                    if (attempt == 3) {
                        throw slow;
                    }
                    log.accept("chaos: broker restart failed (" + slow.getMessage() + "); trying again");
                    broker.stop();
                }
            }
            return "broker restarted (down 5 s, then " + Duration.ofNanos(System.nanoTime() - down).toSeconds()
                    + " s to listen)";
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

    /** Cuts one worker off (silently dropping every packet both ways) for {@code partitionFor}, then heals. */
    private String partition(Step s, WorkerFleet fleet, NetworkPartitions nets) throws Exception {
        int slot = s.slot();
        List<NetworkPartitions.Link> links = switch (s.what()) {
            case PARTITION_BROKER -> List.of(NetworkPartitions.Link.BROKER);
            case PARTITION_HOSTUP -> List.of(NetworkPartitions.Link.HOSTUP);
            default -> List.of(NetworkPartitions.Link.BROKER, NetworkPartitions.Link.HOSTUP);
        };
        WorkerProcess w = fleet.get(slot);
        for (NetworkPartitions.Link l : links) {
            nets.cut(slot, l);
        }
        try {
            Thread.sleep(config.partitionFor().toMillis());
        } finally {
            for (NetworkPartitions.Link l : links) {
                nets.heal(slot, l);
            }
        }
        return "partition: worker " + slot + " (pid " + (w == null ? "-" : w.pid()) + ") cut off from "
                + links.stream().map(l -> l.name().toLowerCase(java.util.Locale.ROOT)).toList() + " for "
                + config.partitionFor().toSeconds() + " s (every packet dropped both ways), then healed";
    }

    private static List<String> brokerHosts(NetworkPartitions nets) {
        List<String> hosts = new ArrayList<>();
        for (int k = 0; k < nets.size(); k++) {
            hosts.add(nets.slot(k).brokerHost());
        }
        return hosts;
    }

    /** One relay per namespace from its HostUp link's host side to the simulator on loopback. */
    static final class Relays implements AutoCloseable {
        private final List<TcpRelay> relays = new ArrayList<>();

        Relays(NetworkPartitions nets, int simulatorPort) throws java.io.IOException {
            if (nets != null) {
                for (int k = 0; k < nets.size(); k++) {
                    relays.add(new TcpRelay(nets.slot(k).hostupHost(), simulatorPort));
                }
            }
        }

        int port(int slot) {
            return relays.get(slot).port();
        }

        @Override
        public void close() throws java.io.IOException {
            for (TcpRelay r : relays) {
                r.close();
            }
        }
    }

    private void send(KafkaProducer<String, String> producer, List<String> ids, List<String> bodies, long start,
                      AtomicInteger acked, Map<String, Exception> errors) {
        long window = config.duration().toNanos(); // load throughout: during and after every disruption
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

    /**
     * The size the origin reports for a file this VPS downloads in {@code d}: {@code d} at the rate the worker
     * assumes (5 MB/s), so the window it sizes from it is 1.5 times the download, longer than the configured one
     * for the long downloads.
     */
    static long bytesFor(Duration d) {
        return Math.max(1, d.toMillis() * 5_000L);
    }

    private Map<String, String> workerEnv(LocalStack stack, NetworkPartitions nets, Relays relays, ChaosOrigin origin,
                                          int slot) {
        Map<String, String> env = new HashMap<>(stack.workerEnv());
        if (nets != null) {
            NetworkPartitions.Slot s = nets.slot(slot);
            env.put("KAFKA_BOOTSTRAP_SERVERS", stack.brokerProcess().bootstrapServers(s.brokerHost()));
            env.put("HOSTUP_API_URL", "http://" + s.hostupHost() + ":" + relays.port(slot));
        }
        // The preflight runs against the soak's origin (HEAD only), so every download's size is known; the guard
        // blocks 198.18.0.0/15 and loopback unless allowed, and the allow entry names exactly that origin.
        env.put("ISO_URL_PREFLIGHT", "resolve");
        env.put("ISO_URL_PREFLIGHT_ALLOW", origin.allowEntry());
        env.put("HOSTUP_API_REQUEST_TIMEOUT", config.requestTimeout().toMillis() + "ms");
        env.put("ISO_POLL_INITIAL_DELAY", "300ms");
        env.put("ISO_POLL_MAX_DELAY", "1s");
        env.put("ISO_JOB_TIMEOUT", "10m");
        // Shorter than the long downloads (one VPS in ten), so an answer lost after queueing opens the window on a
        // download that outlasts it.
        env.put("ISO_SUBMIT_AMBIGUITY_WINDOW", config.ambiguityWindow().toSeconds() + "s");
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
