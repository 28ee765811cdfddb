package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.bench.BenchStack.ClientRun;
import dev.hostupiso.worker.localstack.WorkerProcess;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.hostupiso.worker.bench.BenchEnv.env;
import static dev.hostupiso.worker.bench.BenchEnv.envInt;
import static dev.hostupiso.worker.bench.BenchEnv.say;
import static dev.hostupiso.worker.bench.Fmt.f0;
import static dev.hostupiso.worker.bench.Fmt.f1;
import static dev.hostupiso.worker.bench.Fmt.f2;
import static dev.hostupiso.worker.bench.Stats.histogram;
import static dev.hostupiso.worker.bench.Stats.sustainedRate;

/** Scenario 1: jobs completing at once, against the broker's passthrough and the simulator's capacity measured in the same run. */
final class ThroughputScenario extends Scenario {

    ThroughputScenario(BenchStack stack) {
        super(stack);
    }

    @Override
    void run() throws Exception {
        int jobs = envInt("BENCH_JOBS", 10000);
        int warmup = envInt("BENCH_WARMUP", 1000);
        int capJobs = envInt("BENCH_CAPACITY_JOBS", Math.max(1000, jobs / 2));
        say("1. throughput: " + jobs + " jobs (+" + warmup + " warm-up); limits first");
        sim.reset();
        ClientRun cap1 = capacity(capJobs, 1);
        say("   simulator capacity (minimal async client, 20 connections): " + f0(cap1.callsPerSecond()) + " calls/s");
        double pass1 = passthrough(jobs, 1);
        say("   broker passthrough: " + f0(pass1) + " records/s");

        sim.reset();
        sim.vps("vps_t_", warmup + jobs, 0, 0);
        ensureTopics("throughput");
        Map<String, String> env = Map.of("ISO_POLL_INITIAL_DELAY", "100ms", "ISO_POLL_MAX_DELAY", "1s");
        double rate;
        long[] arrivals;
        long apiCalls;
        double workerCpuMicrosPerCall;
        long failedOutcomes;
        String cpuShares;
        double othersCpuMsPerJob; // broker, simulator and load generator, per job of the measured run
        double brokerMsPerJob; // the broker's share of it
        double wallSeconds; // the interval the CPU figures cover: first request produced to last outcome consumed
        try (WorkerProcess w = startWorker("throughput", env, List.of());
             Kafka.Watcher events = new Kafka.Watcher(bootstrap, "bench-throughput-events");
             KafkaProducer<String, String> p = Kafka.producer(bootstrap)) {
            produce(p, "bench-throughput-requests", "tput", "vps_t_", 0, warmup, 0);
            if (!events.await(warmup, Duration.ofMinutes(5))) {
                throw new IllegalStateException("warm-up: only " + events.arrivals.size() + " outcomes; see " + w.log());
            }
            say("   warm-up done; measuring");
            events.arrivals.clear();
            long calls0 = sim.total();
            long cpu0 = Child.cpuNanos(w.pid());
            long[] others0 = {Child.cpuNanos(simPid), Child.cpuNanos(brokerPid), Child.cpuNanos(ProcessHandle.current().pid())};
            long t0 = System.nanoTime();
            produce(p, "bench-throughput-requests", "tput", "vps_t_", warmup, warmup + jobs, 0);
            if (!events.await(jobs, Duration.ofSeconds(120 + jobs / 20))) {
                throw new IllegalStateException("only " + events.arrivals.size() + " of " + jobs + " outcomes; see " + w.log());
            }
            apiCalls = sim.total() - calls0;
            double wall = (System.nanoTime() - t0) / 1e9;
            wallSeconds = wall;
            brokerMsPerJob = (Child.cpuNanos(brokerPid) - others0[1]) / 1e6 / jobs;
            long workerCpu = Child.cpuNanos(w.pid()) - cpu0;
            workerCpuMicrosPerCall = workerCpu / 1e3 / apiCalls;
            othersCpuMsPerJob = (Child.cpuNanos(simPid) - others0[0] + Child.cpuNanos(brokerPid) - others0[1]
                    + Child.cpuNanos(ProcessHandle.current().pid()) - others0[2]) / 1e6 / jobs;
            cpuShares = String.format(Locale.ROOT, "over the %.1f s of the measured run the processes used, in cores: "
                            + "worker %.2f, simulator %.2f, broker %.2f, load generator and consumers %.2f (total %.2f of 2)",
                    wall, workerCpu / 1e9 / wall, (Child.cpuNanos(simPid) - others0[0]) / 1e9 / wall,
                    (Child.cpuNanos(brokerPid) - others0[1]) / 1e9 / wall,
                    (Child.cpuNanos(ProcessHandle.current().pid()) - others0[2]) / 1e9 / wall,
                    (workerCpu + Child.cpuNanos(simPid) - others0[0] + Child.cpuNanos(brokerPid) - others0[1]
                            + Child.cpuNanos(ProcessHandle.current().pid()) - others0[2]) / 1e9 / wall);
            arrivals = events.sortedNanos();
            for (int i = 0; i < arrivals.length; i++) {
                arrivals[i] -= t0;
            }
            rate = sustainedRate(arrivals);
            failedOutcomes = events.types.values().stream().filter(t -> !t.endsWith(".completed")).count();
        }
        say("   worker: " + f0(rate) + " jobs/s sustained, " + f1((double) apiCalls / jobs) + " API calls per job");
        sim.reset();
        ClientRun cap2 = capacity(capJobs, 2);
        double pass2 = passthrough(jobs, 2);
        say("   limits after: simulator " + f0(cap2.callsPerSecond()) + " calls/s, broker " + f0(pass2) + " records/s");

        double capCalls = Math.max(cap1.callsPerSecond(), cap2.callsPerSecond());
        double limitB = capCalls / MinimalClient.CALLS_PER_JOB;
        double limitA = Math.max(pass1, pass2);
        double limit = Math.min(limitA, limitB);
        // The ceiling counts the broker at its passthrough cost (two records per job), not at what it spent during the
        // worker's run: that included the worker's own ledger transactions, which would otherwise raise the ceiling's
        // cost and flatter the worker.
        double minimalMs = MinimalClient.CALLS_PER_JOB * Math.min(cap1.clientCpuMicrosPerCall(), cap2.clientCpuMicrosPerCall()) / 1e3;
        double othersAtPassthroughMs = othersCpuMsPerJob - brokerMsPerJob + brokerMsPerPassRecord;
        double ceiling = Runtime.getRuntime().availableProcessors() * 1e3 / (othersAtPassthroughMs + minimalMs);
        double sameInterval = jobs / wallSeconds;
        results.row("1. Throughput over the CPU interval (all jobs ÷ first request to last outcome)", f0(sameInterval) + " jobs/s",
                "2-core CPU ceiling for any worker " + f0(ceiling) + " jobs/s (broker at its passthrough cost)",
                sameInterval / ceiling, "≥ 0.80", sameInterval / ceiling >= 0.8);
        results.row("1. Throughput (jobs completing at once)", f0(rate) + " jobs/s",
                "min(broker " + f0(limitA) + "/s, simulator " + f0(capCalls) + " calls/s ÷ 3 = " + f0(limitB) + "/s) = "
                        + f0(limit) + "/s", rate / limit, "≥ 0.80", rate / limit >= 0.8);
        results.section("1. Throughput", String.join("\n",
                "- " + jobs + " requests produced at once (after " + warmup + " warm-up jobs), each on its own VPS; the simulator "
                        + "answers from-url 202 and the first poll `completed`, then the ISO list is read: 3 API calls per job "
                        + "(measured: " + f2((double) apiCalls / jobs) + " calls/job; outcomes not `completed`: " + failedOutcomes
                        + "). Worker: `ISO_POLL_INITIAL_DELAY=100ms`, "
                        + "`ISO_POLL_MAX_DELAY=1s`, default `ISO_MAX_IN_FLIGHT` (1000) and `HOSTUP_API_MAX_CONNECTIONS` (20).",
                "- Rates are the middle 80 % of outcome arrivals at an independent consumer (request produced → outcome consumed).",
                "- Limit (a), broker passthrough: a plain consumer answers each request-sized record with an outcome-sized "
                        + "record (CloudEvent headers, acks=all, idempotent producer) — the broker traffic of one job with no work "
                        + "in between: " + f0(pass1) + " / " + f0(pass2) + " per s (before / after the worker run; the higher counts).",
                "- Limit (b), simulator capacity: a minimal asynchronous client in its own JVM (`MinimalClient`: the worker's "
                        + "HTTP stack, Vert.x core's HTTP client, and nothing else; 20 chains like the worker's 20 connections, the "
                        + "same 3-call job, after 300 warm-up jobs) reached " + f0(cap1.callsPerSecond()) + " / " + f0(cap2.callsPerSecond())
                        + " calls/s (before / after; " + cap1.errors() + "/" + cap2.errors() + " errors). Its own CPU: "
                        + f0(cap1.clientCpuMicrosPerCall()) + " µs per call; the simulator's: " + f0(cap1.serverCpuMicrosPerCall())
                        + " µs per call.",
                "- Worker CPU during the measured run: " + f0(workerCpuMicrosPerCall) + " µs per API call (all of its work: "
                        + "Kafka in and out, HTTP, JSON, logging). On 2 cores the worker, the simulator, the broker and the "
                        + "load generator share the CPUs; the limits ran without the worker: " + cpuShares + ".",
                "- Same interval: the CPU figures cover the " + f1(wallSeconds) + " s from the first request produced to the "
                        + "last outcome consumed; over that interval the worker completed " + f0(sameInterval) + " jobs/s (all "
                        + jobs + " jobs). The middle-80 % rate above (" + f0(rate) + " jobs/s) leaves out the ramp and the tail.",
                "- The machine's CPU ceiling, for any worker: the simulator and the load generator spent "
                        + f2(othersCpuMsPerJob - brokerMsPerJob) + " ms of CPU per job in the measured run; the broker is counted "
                        + "at its cost in the passthrough run, " + f2(brokerMsPerPassRecord) + " ms per job (it spent "
                        + f2(brokerMsPerJob) + " ms per job during the worker's run, the difference being the worker's own "
                        + "ledger commits, which a ceiling for any worker must not include); a worker as cheap as the minimal "
                        + "client (" + MinimalClient.CALLS_PER_JOB + " × " + f0(Math.min(cap1.clientCpuMicrosPerCall(), cap2.clientCpuMicrosPerCall()))
                        + " µs) would make it " + f2(othersAtPassthroughMs + minimalMs) + " ms per job, so "
                        + Runtime.getRuntime().availableProcessors() + " cores cap any worker at " + f0(ceiling) + " jobs/s = "
                        + f2(ceiling / limit) + " of the limit; over the same interval the worker reached "
                        + f2(sameInterval / ceiling) + " of that ceiling.",
                "- Plot: `bench/throughput.png`."));
        // plot: arrivals per second
        List<double[]> perSec = histogram(arrivals, 1e9);
        Plot.write(out.resolve("throughput.png"), "1. Throughput — outcomes per second (" + jobs + " jobs)",
                List.of(new Plot.Panel("Outcome events consumed per second", "seconds since the first request was produced",
                                "jobs / s").add(Plot.Series.line("worker", perSec))
                                .ref(limitA <= limitB ? "limit (a) broker" : "limit (b) sim ÷ 3", limit)
                                .ref("80 % of limit", 0.8 * limit),
                        Plot.Panel.bars("Sustained rates (middle 80 %)", "jobs / s",
                                new String[] {"worker", "(a) broker passthrough", "(b) simulator ÷ 3"},
                                new double[] {rate, limitA, limitB})));
    }

    /** Broker CPU per record pair (in and out) of the last passthrough run, milliseconds. */
    private double brokerMsPerPassRecord = Double.NaN;

    private double passthrough(int records, int round) throws Exception {
        String in = "bench-pass-in-" + round;
        String outTopic = "bench-pass-out-" + round;
        Kafka.createTopics(bootstrap, 3, in, outTopic);
        try (Kafka.Watcher w = new Kafka.Watcher(bootstrap, outTopic);
             Kafka.Relay relay = new Kafka.Relay(bootstrap, in, outTopic);
             KafkaProducer<String, String> p = Kafka.producer(bootstrap)) {
            long broker0 = Child.cpuNanos(brokerPid);
            produce(p, in, "pass" + round, "vps_pass_", 0, records, 0);
            if (!w.await(records, Duration.ofMinutes(5))) {
                throw new IllegalStateException("passthrough: only " + w.arrivals.size() + " of " + records);
            }
            double ms = (Child.cpuNanos(brokerPid) - broker0) / 1e6 / records;
            brokerMsPerPassRecord = Double.isNaN(brokerMsPerPassRecord) ? ms : Math.min(brokerMsPerPassRecord, ms);
            return sustainedRate(w.sortedNanos());
        }
    }

    /** The simulator's capacity: the minimal client, unpaced, 20 chains, after 300 warm-up jobs. */
    private ClientRun capacity(int jobs, int round) throws Exception {
        return minimalClient("vps_cap" + round + "_", 300, jobs, 0);
    }
}
