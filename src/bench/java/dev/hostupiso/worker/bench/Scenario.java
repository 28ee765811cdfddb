package dev.hostupiso.worker.bench;

import dev.hostupiso.worker.localstack.WorkerProcess;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One benchmark scenario: it drives the {@link BenchStack}, measures, and adds its row and section to the results. */
abstract class Scenario {

    static final String TOKEN = BenchStack.TOKEN;
    static final List<String> POD_JVM = BenchStack.POD_JVM;

    protected final BenchStack stack;
    protected final SimControl sim;
    protected final String bootstrap;
    protected final String api;
    protected final long simPid;
    protected final long brokerPid;
    protected final Path build;
    protected final Path out;
    protected final Path work;
    protected final ResultsWriter results;
    protected final BenchStack.WorkerRuntime runtime;
    protected final List<double[]> startups;

    Scenario(BenchStack stack) {
        this.stack = stack;
        this.sim = stack.sim;
        this.bootstrap = stack.bootstrap;
        this.api = stack.api;
        this.simPid = stack.simPid;
        this.brokerPid = stack.brokerPid;
        this.build = stack.build;
        this.out = stack.out;
        this.work = stack.work;
        this.results = stack.results;
        this.runtime = stack.runtime;
        this.startups = stack.startups;
    }

    /** Runs the scenario and records its figures. */
    abstract void run() throws Exception;

    WorkerProcess startWorker(String scenario, Map<String, String> extraEnv, List<String> extraJvm) throws Exception {
        return stack.startWorker(scenario, extraEnv, extraJvm);
    }

    WorkerProcess startWorker(BenchStack.WorkerRuntime rt, String scenario, Map<String, String> extraEnv,
                              List<String> extraJvm) throws Exception {
        return stack.startWorker(rt, scenario, extraEnv, extraJvm);
    }

    void ensureTopics(String scenario) throws Exception {
        stack.ensureTopics(scenario);
    }

    Path jar() {
        return stack.jar();
    }

    BenchStack.ClientRun minimalClient(String prefix, int warmup, int jobs, int perSecond) throws Exception {
        return stack.minimalClient(prefix, warmup, jobs, perSecond);
    }

    static void produce(KafkaProducer<String, String> producer, String topic, String prefix, String vpsPrefix,
                        int from, int to, double perSecond) throws Exception {
        BenchStack.produce(producer, topic, prefix, vpsPrefix, from, to, perSecond);
    }
}
