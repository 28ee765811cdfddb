package dev.hostupiso.worker.chaos;

import dev.hostupiso.worker.localstack.WorkerProcess;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The chaos soak as a program ({@code bench/chaos}): {@code ChaosRun [projectDir]} runs {@link ChaosSoak} with
 * {@link ChaosConfig#soak} and the {@code CHAOS_*} environment overrides, writes {@code bench/chaos.md} (or
 * {@code CHAOS_REPORT}), prints the per-invariant verdict and exits 1 if an invariant failed.
 */
public final class ChaosRun {

    private ChaosRun() {
    }

    /** The commit the soak ran on, marked when the work tree had uncommitted changes to tracked files. */
    static String commit(Path project) {
        try {
            Process head = new ProcessBuilder("git", "-C", project.toString(), "rev-parse", "HEAD").start();
            String sha = new String(head.getInputStream().readAllBytes()).trim();
            Process status = new ProcessBuilder("git", "-C", project.toString(), "status", "--porcelain",
                    "--untracked-files=no").start();
            String dirty = new String(status.getInputStream().readAllBytes()).trim();
            return sha.isEmpty() ? "unknown" : dirty.isEmpty() ? sha : sha + " (with uncommitted changes)";
        } catch (Exception e) {
            return "unknown";
        }
    }

    public static void main(String[] args) throws Exception {
        Path project = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath();
        ChaosConfig config = ChaosConfig.fromEnv(System.getenv(), ChaosConfig::soak);
        Path report = System.getenv("CHAOS_REPORT") != null ? Path.of(System.getenv("CHAOS_REPORT"))
                : project.resolve("bench").resolve("chaos.md");
        Path dir = project.resolve("target").resolve("chaos").resolve("run-" + System.currentTimeMillis());
        ChaosReport r = new ChaosSoak(config, dir, WorkerProcess.packagedJar(project.resolve("target")),
                line -> System.out.println(line)).run();
        Files.writeString(report, r.markdown().replace("## Machine\n\n", "## Machine\n\n- commit: " + commit(project) + "\n"));
        System.out.println(r.summary());
        System.out.println("report: " + report + ", logs: " + dir);
        System.exit(r.clean() ? 0 : 1);
    }
}
