package dev.hostupiso.worker.chaos;

import dev.hostupiso.worker.localstack.WorkerProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A fixed number of worker slots, each holding one packaged worker process, and the signals sent to them. */
final class WorkerFleet implements AutoCloseable {

    private final Path jar;
    private final java.util.function.IntFunction<Map<String, String>> env;
    private final NetworkPartitions nets;
    private final List<String> jvmOptions;
    private final Path logDir;
    private final WorkerProcess[] slots;
    private final boolean[] stopped;
    private final List<WorkerProcess> all = new ArrayList<>();
    private int launched;

    /**
     * @param env  each slot's environment
     * @param nets when not null, slot {@code k} runs in namespace {@code k} (its health is read at its address there)
     */
    WorkerFleet(Path jar, java.util.function.IntFunction<Map<String, String>> env, NetworkPartitions nets,
                List<String> jvmOptions, Path logDir, int size) {
        this.jar = jar;
        this.env = env;
        this.nets = nets;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.logDir = logDir;
        this.slots = new WorkerProcess[size];
        this.stopped = new boolean[size];
    }

    int size() {
        return slots.length;
    }

    /** Starts (or replaces) the worker of {@code slot}, without waiting for it to be ready. */
    synchronized WorkerProcess launch(int slot) throws Exception {
        List<String> options = new ArrayList<>(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"));
        options.addAll(jvmOptions);
        Path log = logDir.resolve("worker-" + (++launched) + ".log");
        WorkerProcess w = nets == null
                ? WorkerProcess.start(Path.of(System.getProperty("java.home")), jar, env.apply(slot), options, log)
                : WorkerProcess.start(Path.of(System.getProperty("java.home")), jar, env.apply(slot), options, log,
                        nets.exec(slot), nets.slot(slot).workerAddress());
        slots[slot] = w;
        stopped[slot] = false;
        all.add(w);
        return w;
    }

    WorkerProcess get(int slot) {
        return slots[slot];
    }

    void kill(int slot) throws InterruptedException {
        slots[slot].kill();
    }

    /** SIGTERM; answers the exit code (the worker is killed if it overstays {@code grace}). */
    int term(int slot, Duration grace) throws InterruptedException {
        try {
            return slots[slot].stop(grace);
        } catch (IllegalStateException overstayed) {
            return -1;
        }
    }

    void pause(int slot) throws Exception {
        signal("STOP", slots[slot].pid());
        stopped[slot] = true;
    }

    void resume(int slot) throws Exception {
        signal("CONT", slots[slot].pid());
        stopped[slot] = false;
    }

    /** Resumes paused workers and replaces dead ones, so the fleet can drain. */
    void heal() throws Exception {
        for (int i = 0; i < slots.length; i++) {
            if (stopped[i]) {
                resume(i);
            }
            if (slots[i] == null || !slots[i].isAlive()) {
                launch(i);
            }
        }
    }

    /** Processes launched so far. */
    int launched() {
        return launched;
    }

    List<WorkerProcess> everLaunched() {
        return List.copyOf(all);
    }

    private static void signal(String sig, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("kill -" + sig + " " + pid + " failed");
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = 0; i < slots.length; i++) {
            if (stopped[i] && slots[i].isAlive()) {
                resume(i);
            }
        }
        for (WorkerProcess w : all) {
            if (w.isAlive()) {
                w.close();
            }
        }
    }
}
