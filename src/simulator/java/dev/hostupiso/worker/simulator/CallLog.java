package dev.hostupiso.worker.simulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** What happened: every call in arrival order (the most recent ones if capped) and exact counts per endpoint. */
final class CallLog {

    private record Seq(long seq, RecordedCall call) {
    }

    private record CountKey(String vpsId, Endpoint endpoint) {
    }

    private final int maxRecordedCalls;
    private final ConcurrentLinkedDeque<Seq> calls = new ConcurrentLinkedDeque<>();
    private final AtomicInteger recordedSize = new AtomicInteger();
    private final Map<CountKey, LongAdder> counts = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();

    CallLog(int maxRecordedCalls) {
        this.maxRecordedCalls = maxRecordedCalls;
    }

    /** The next call's sequence number; also the total received. */
    long next() {
        return seq.incrementAndGet();
    }

    long total() {
        return seq.get();
    }

    void record(Call c, int status) {
        String bodyText = new String(c.body, StandardCharsets.UTF_8);
        String agent = c.requestHeaders == null ? null : c.requestHeaders.getFirst("User-Agent");
        RecordedCall rc = new RecordedCall(c.at, c.method, c.path, c.endpoint, c.vpsId, c.jobId, status,
                c.authenticated, bodyText, agent == null ? "" : agent);
        counts.computeIfAbsent(new CountKey(c.vpsId, c.endpoint), k -> new LongAdder()).increment();
        if (maxRecordedCalls <= 0) {
            return;
        }
        calls.addLast(new Seq(c.seq, rc));
        if (recordedSize.incrementAndGet() > maxRecordedCalls) {
            if (calls.pollFirst() != null) {
                recordedSize.decrementAndGet();
            }
        }
    }

    List<RecordedCall> calls() {
        List<Seq> snapshot = new ArrayList<>(calls);
        snapshot.sort(Comparator.comparingLong(Seq::seq));
        List<RecordedCall> out = new ArrayList<>(snapshot.size());
        for (Seq s : snapshot) {
            out.add(s.call());
        }
        return out;
    }

    List<RecordedCall> calls(String vpsId, Endpoint endpoint) {
        List<RecordedCall> out = new ArrayList<>();
        for (RecordedCall c : calls()) {
            if (Objects.equals(vpsId, c.vpsId()) && c.endpoint() == endpoint) {
                out.add(c);
            }
        }
        return out;
    }

    long count(String vpsId, Endpoint endpoint) {
        LongAdder a = counts.get(new CountKey(vpsId, endpoint));
        return a == null ? 0 : a.sum();
    }

    long count(Endpoint endpoint) {
        long sum = 0;
        for (Map.Entry<CountKey, LongAdder> e : counts.entrySet()) {
            if (e.getKey().endpoint() == endpoint) {
                sum += e.getValue().sum();
            }
        }
        return sum;
    }

    /** Forgets calls and counts; the sequence goes on. */
    void clear() {
        calls.clear();
        recordedSize.set(0);
        counts.clear();
    }
}
