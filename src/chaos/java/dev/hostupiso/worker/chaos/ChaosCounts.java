package dev.hostupiso.worker.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.job.JobState;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything a chaos soak counts, each way the promise can break, zero when it held: outcomes per request by Kafka
 * key, by the body's {@code requestId} and by {@code ce_id}; requests both completed and failed; from-url calls and
 * downloads per (VPS, file); requests never answered; and the ledger read whole ({@code read_committed}), where no
 * request may have a non-terminal record after a terminal one.
 *
 * @param requests          requests sent
 * @param extraByKey        outcome events beyond the first, counted by Kafka key
 * @param extraByBody       outcome events beyond the first, counted by the body's requestId
 * @param extraByCeId       requests with more than one distinct {@code ce_id} (two different outcomes)
 * @param repeatedCeIds     {@code ce_id}s published more than once
 * @param contradictions    requests with both a completed and a failed outcome
 * @param lost              requests with no outcome
 * @param fromUrlCalls      from-url calls, summed over (VPS, file)
 * @param maxFromUrlPerFile the most from-url calls one (VPS, file) got
 * @param downloads         downloads started, summed over (VPS, file)
 * @param secondDownloads   downloads beyond the first per (VPS, file)
 * @param ledgerRecords     ledger records read
 * @param stateRegressions  requests with a non-terminal ledger record after a terminal one
 * @param examples          a few request ids per kind of break, for the report
 */
public record ChaosCounts(int requests, long extraByKey, long extraByBody, long extraByCeId, long repeatedCeIds,
                          long contradictions, long lost, long fromUrlCalls, long maxFromUrlPerFile, long downloads,
                          long secondDownloads, long ledgerRecords, long stateRegressions,
                          Map<String, Set<String>> examples) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether every count that must be zero is. */
    public boolean clean() {
        return extraByKey == 0 && extraByBody == 0 && extraByCeId == 0 && repeatedCeIds == 0 && contradictions == 0
                && lost == 0 && secondDownloads == 0 && stateRegressions == 0;
    }

    /**
     * @param ids       the requests sent
     * @param events    the outcome topic, read_committed
     * @param ledger    the ledger topic read whole, read_committed, in offset order per partition
     * @param fromUrl   from-url calls per "vpsId/filename"
     * @param started   downloads started per "vpsId/filename"
     */
    static ChaosCounts of(List<String> ids, List<ConsumerRecord<String, String>> events,
                          List<ConsumerRecord<String, String>> ledger, Map<String, Long> fromUrl,
                          Map<String, Long> started) {
        Set<String> sent = new HashSet<>(ids);
        Map<String, Integer> byKey = new HashMap<>();
        Map<String, Integer> byBody = new HashMap<>();
        Map<String, Set<String>> ceIdsOf = new HashMap<>();
        Map<String, Integer> ceIdCount = new HashMap<>();
        Map<String, Set<String>> statusesOf = new HashMap<>();
        for (ConsumerRecord<String, String> r : events) {
            byKey.merge(String.valueOf(r.key()), 1, Integer::sum);
            JsonNode body = parse(r.value());
            String id = body.path("requestId").asText(String.valueOf(r.key()));
            byBody.merge(id, 1, Integer::sum);
            String ceId = header(r, "ce_id");
            ceIdsOf.computeIfAbsent(id, k -> new TreeSet<>()).add(ceId);
            ceIdCount.merge(ceId, 1, Integer::sum);
            statusesOf.computeIfAbsent(id, k -> new TreeSet<>()).add(body.path("status").asText("?"));
        }
        Map<String, Set<String>> examples = new TreeMap<>();
        long extraKey = extra(byKey, examples, "duplicate by key");
        long extraBody = extra(byBody, examples, "duplicate by body requestId");
        long extraCe = ceIdsOf.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .peek(e -> example(examples, "two distinct ce_ids", e.getKey())).count();
        long repeated = ceIdCount.values().stream().filter(n -> n > 1).count();
        long contradictions = statusesOf.entrySet().stream()
                .filter(e -> e.getValue().contains("completed") && e.getValue().contains("failed"))
                .peek(e -> example(examples, "completed and failed", e.getKey())).count();
        long lost = ids.stream().filter(id -> !byBody.containsKey(id) && !byKey.containsKey(id))
                .peek(id -> example(examples, "lost", id)).count();
        long regressions = regressions(ledger, sent, examples);
        long second = started.values().stream().mapToLong(n -> Math.max(0, n - 1)).sum();
        started.forEach((file, n) -> {
            if (n > 1) {
                example(examples, "second download", file);
            }
        });
        return new ChaosCounts(ids.size(), extraKey, extraBody, extraCe, repeated, contradictions, lost,
                fromUrl.values().stream().mapToLong(Long::longValue).sum(),
                fromUrl.values().stream().mapToLong(Long::longValue).max().orElse(0),
                started.values().stream().mapToLong(Long::longValue).sum(), second, ledger.size(), regressions, examples);
    }

    /** Requests whose ledger history has a non-terminal state after a terminal one. */
    private static long regressions(List<ConsumerRecord<String, String>> ledger, Set<String> sent,
                                    Map<String, Set<String>> examples) {
        Set<String> terminal = new HashSet<>();
        Set<String> regressed = new TreeSet<>();
        for (ConsumerRecord<String, String> r : ledger) {
            if (r.key() == null || r.value() == null || !sent.contains(r.key())) {
                continue; // tombstones end nothing: a swept entry is gone, not regressed
            }
            JobState state;
            try {
                state = JobState.valueOf(parse(r.value()).path("state").asText());
            } catch (IllegalArgumentException unreadable) {
                continue;
            }
            if (state.isTerminal()) {
                terminal.add(r.key());
            } else if (terminal.contains(r.key())) {
                regressed.add(r.key());
            }
        }
        regressed.forEach(id -> example(examples, "ledger state regression", id));
        return regressed.size();
    }

    private static long extra(Map<String, Integer> counts, Map<String, Set<String>> examples, String kind) {
        long extra = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() > 1) {
                extra += e.getValue() - 1;
                example(examples, kind, e.getKey());
            }
        }
        return extra;
    }

    private static void example(Map<String, Set<String>> examples, String kind, String id) {
        Set<String> s = examples.computeIfAbsent(kind, k -> new TreeSet<>());
        if (s.size() < 10) {
            s.add(id);
        }
    }

    private static JsonNode parse(String value) {
        try {
            return value == null ? JSON.nullNode() : JSON.readTree(value);
        } catch (Exception e) {
            return JSON.nullNode();
        }
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? "(none)" : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The counts as Markdown table rows. */
    String rows() {
        return "| extra outcomes by Kafka key | " + extraByKey + " |\n"
                + "| extra outcomes by body requestId | " + extraByBody + " |\n"
                + "| requests with 2+ distinct ce_id | " + extraByCeId + " |\n"
                + "| ce_id published more than once | " + repeatedCeIds + " |\n"
                + "| completed-and-failed contradictions | " + contradictions + " |\n"
                + "| lost (no outcome) | " + lost + " |\n"
                + "| second downloads (per VPS, file) | " + secondDownloads + " |\n"
                + "| ledger state regressions (non-terminal after terminal, read_committed) | " + stateRegressions + " |\n"
                + "| from-url calls (total / most for one file) | " + fromUrlCalls + " / " + maxFromUrlPerFile + " |\n"
                + "| downloads started | " + downloads + " |\n"
                + "| ledger records read | " + ledgerRecords + " |\n";
    }
}
