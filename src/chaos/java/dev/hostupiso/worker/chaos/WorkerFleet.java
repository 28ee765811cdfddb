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
    private final Map<String, String> env;
    private final Path logDir;
    private final WorkerProcess[] slots;
    private final boolean[] stopped;
    private final List<WorkerProcess> all = new ArrayList<>();
    private int launched;

    WorkerFleet(Path jar, Map<String, String> env, Path logDir, int size) {
        this.jar = jar;
        this.env = Map.copyOf(env);
        this.logDir = logDir;
        this.slots = new WorkerProcess[size];
        this.stopped = new boolean[size];
    }

    int size() {
        return slots.length;
    }

    /** Starts (or replaces) the worker of {@code slot}, without waiting for it to be ready. */
    synchronized WorkerProcess launch(int slot) throws Exception {
        WorkerProcess w = WorkerProcess.start(Path.of(System.getProperty("java.home")), jar, env,
                List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), logDir.resolve("worker-" + (++launched) + ".log"));
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
