package dev.hostupiso.worker.simulator;

import java.util.concurrent.CountDownLatch;

/**
 * The HostUp simulator as a program of its own: {@code java -jar target/hostup-simulator.jar [options]} serves the
 * API on a loopback port and its control API ({@link SimulatorControl}) on another, prints
 * {@code api=<url> control=<url>} and runs until stopped.
 *
 * <p>Options: {@code --token=T} (the API key, all scopes; default {@code sim-token}), {@code --port=N} (0, the
 * default, picks a free port), {@code --max-recorded-calls=N} (calls kept for {@code /control/calls}; default
 * 400000).
 */
public final class SimulatorMain {

    private SimulatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        String token = "sim-token";
        int port = 0;
        int maxRecorded = 400_000;
        for (String a : args) {
            String value = a.substring(a.indexOf('=') + 1);
            if (a.startsWith("--token=")) {
                token = value;
            } else if (a.startsWith("--port=")) {
                port = Integer.parseInt(value);
            } else if (a.startsWith("--max-recorded-calls=")) {
                maxRecorded = Integer.parseInt(value);
            } else {
                System.err.println("usage: SimulatorMain [--token=T] [--port=N] [--max-recorded-calls=N]");
                System.exit(2);
            }
        }
        HostUpSimulator sim = HostUpSimulator.start(SimulatorOptions.builder().token(token).port(port)
                .maxRecordedCalls(maxRecorded).build());
        SimulatorControl control = SimulatorControl.start(sim);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            control.close();
            sim.close();
            stopped.countDown();
        }, "hostup-sim-stop"));
        System.out.println("api=" + sim.baseUrl() + " control=" + control.baseUrl());
        System.out.flush();
        stopped.await();
    }
}
