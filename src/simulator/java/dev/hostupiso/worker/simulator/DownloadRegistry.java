package dev.hostupiso.worker.simulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the download jobs started per (VPS, filename): a from-url that created a job counts, a 200 "already in the
 * library" does not. More than one for a file is a second download, the costly duplicate a worker must avoid.
 */
final class DownloadRegistry {

    /** A file of one VPS's library. */
    record FileKey(String vpsId, String filename) implements Comparable<FileKey> {
        @Override
        public int compareTo(FileKey o) {
            int c = vpsId.compareTo(o.vpsId);
            return c != 0 ? c : filename.compareTo(o.filename);
        }
    }

    private final Map<FileKey, LongAdder> started = new ConcurrentHashMap<>();
    private final Map<FileKey, LongAdder> asked = new ConcurrentHashMap<>();

    /** A from-url call for the file arrived (whatever its answer, faults included). */
    void asked(String vpsId, String filename) {
        asked.computeIfAbsent(new FileKey(vpsId, filename), k -> new LongAdder()).increment();
    }

    /** From-url calls per file, sorted. */
    Map<FileKey, Long> askedSnapshot() {
        Map<FileKey, Long> out = new TreeMap<>();
        asked.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    void started(String vpsId, String filename) {
        started.computeIfAbsent(new FileKey(vpsId, filename), k -> new LongAdder()).increment();
    }

    long started(FileKey key) {
        LongAdder a = started.get(key);
        return a == null ? 0 : a.sum();
    }

    /** Sum over files of max(0, started - 1). */
    long secondDownloads() {
        long sum = 0;
        for (LongAdder a : started.values()) {
            sum += Math.max(0, a.sum() - 1);
        }
        return sum;
    }

    /** Every file with its count, sorted. */
    Map<FileKey, Long> snapshot() {
        Map<FileKey, Long> out = new TreeMap<>();
        started.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    void clear() {
        started.clear();
        asked.clear();
    }
}
