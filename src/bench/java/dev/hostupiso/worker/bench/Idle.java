package dev.hostupiso.worker.bench;

/** The floor a JVM costs on this machine: prints "ready" and sleeps (start-up and RSS baseline). */
public final class Idle {
    private Idle() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
