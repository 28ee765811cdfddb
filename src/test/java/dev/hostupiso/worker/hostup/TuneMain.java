package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.simulator.RateWindowModel;
import java.time.Duration;

public class TuneMain {
    public static void main(String[] a) {
        PacingPolicy p = new PacingPolicy(1.5, 0, 2, 0.5, 0.125);
        int limit = Integer.parseInt(System.getProperty("limit", "60"));
        int w = Integer.parseInt(System.getProperty("w", "10"));
        for (long phase : new long[] {0, 300, 700, 950}) {
            for (long lat : new long[] {2, 30}) {
                StringBuilder sb = new StringBuilder("phase " + phase + " lat " + lat + ": ");
                for (RateWindowModel m : RateWindowModel.values()) {
                    for (int n : new int[] {1, 3}) {
                        SharedKeySimulation.Result r = SharedKeySimulation.run(m, limit, Duration.ofSeconds(w), n, 10, 50, Duration.ofMillis(lat), p, phase);
                        sb.append(String.format("%s/%d %.3f %.4f %.2f | ", m.name().charAt(0), n, r.usedFraction(), r.refusedFraction(), r.peakRatio()));
                    }
                }
                System.out.println(sb);
            }
        }
    }
}
