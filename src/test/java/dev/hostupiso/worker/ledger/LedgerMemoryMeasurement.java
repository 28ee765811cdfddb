package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.wire.ApiCalls;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobError;
import dev.hostupiso.worker.wire.OutcomeEvent;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures the heap that finished ledger entries cost: 1,000,000 of them as the ledger keeps them
 * (a {@link FinishedEntry} per requestId) against the full entries with their outcomes that it used
 * to keep. Run: {@code java -cp target/classes:target/test-classes:<deps> ...LedgerMemoryMeasurement [count]}
 * or via {@code bench/ledger-memory}; prints bytes per entry and the total.
 */
public final class LedgerMemoryMeasurement {

    private LedgerMemoryMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
        long base = usedHeap();
        Map<String, FinishedEntry> compact = new ConcurrentHashMap<>();
        for (int i = 0; i < n; i++) {
            compact.put(requestId(i), new FinishedEntry(i * 2L, i, t0.toEpochMilli() + i));
        }
        long compactBytes = usedHeap() - base;
        System.out.printf("finished entries as kept now (FinishedEntry): %,d entries, %,.1f MiB, %d bytes each%n", n,
                compactBytes / 1048576.0, compactBytes / n);
        compact.clear();
        compact = null;

        int fullN = Math.min(n, 200_000); // the old shape is far larger: measure fewer and scale
        base = usedHeap();
        Map<String, LedgerEntry> full = new ConcurrentHashMap<>();
        for (int i = 0; i < fullN; i++) {
            String id = requestId(i);
            IsoRequest req = new IsoRequest(id, "vps_01hxa3b4c5d6e7f8g9h0j1k2m3",
                    "https://releases.example.org/ubuntu-24.04-live-server-amd64-" + i + ".iso",
                    "ubuntu-24.04-live-server-amd64-" + i + ".iso", "none");
            JobContext ctx = new JobContext(req, t0, t0.plusSeconds(21600), 0, 1);
            OutcomeEvent event = i % 2 == 0
                    ? new OutcomeEvent(id, req.vpsId(), req.filename(), null, OutcomeEvent.COMPLETED, "iso_" + i, "job_" + i, false, 1,
                    new ApiCalls(1, 12, 1, 0), null, null, null, t0, t0.plusSeconds(300), null)
                    : OutcomeEvent.failed(req, "job_" + i, 1, JobError.jobFailed("download failed: 404 Not Found", "req_" + i),
                    t0, t0.plusSeconds(300));
            full.put(id, LedgerEntry.received(ctx, i, t0).finished(event, t0.plusSeconds(300)));
        }
        long fullBytes = usedHeap() - base;
        System.out.printf("finished entries as kept before (LedgerEntry with outcome): %,d entries, %d bytes each, "
                + "%,.1f MiB scaled to %,d%n", fullN, fullBytes / fullN, (double) fullBytes / fullN * n / 1048576.0, n);
        System.out.println("jvm: " + System.getProperty("java.vm.name") + " " + Runtime.version() + ", max heap "
                + Runtime.getRuntime().maxMemory() / 1048576 + " MiB, entries kept alive: " + full.size());
    }

    /** A requestId as teams write them: a prefix and a UUID-sized tail. */
    private static String requestId(int i) {
        return "orders-" + Long.toHexString(0x9e3779b97f4a7c15L * (i + 1)) + "-" + i;
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
