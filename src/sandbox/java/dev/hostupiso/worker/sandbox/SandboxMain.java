package dev.hostupiso.worker.sandbox;

import java.nio.file.Path;

/**
 * {@code mvn -Plocal -DskipTests package}: the sandbox ({@link Sandbox}) in the foreground until Ctrl-C
 * (or SIGTERM), which stops the worker, the simulator and the broker through a shutdown hook.
 */
public final class SandboxMain {

    private SandboxMain() {
    }

    public static void main(String[] args) throws Exception {
        Path buildDir = Path.of(args.length > 0 ? args[0] : "target");
        Sandbox sandbox = Sandbox.start(buildDir, ScenarioTimings.DEFAULT, SandboxMain::say);
        Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close, "sandbox-stop"));
        sandbox.printUsage();
        while (sandbox.stack().worker().isAlive()) {
            Thread.sleep(1000);
        }
        // On Ctrl-C the terminal signals the worker too: it may leave a moment before the hook starts.
        Thread.sleep(2000);
        if (sandbox.closing()) {
            return;
        }
        // Not a Ctrl-C: the worker itself went away (a crash, or a kill from outside).
        say("The worker exited; see " + sandbox.stack().worker().log() + ". Stopping the rest.");
        System.exit(1);
    }

    private static void say(String s) {
        System.out.println("[sandbox] " + s);
    }
}
