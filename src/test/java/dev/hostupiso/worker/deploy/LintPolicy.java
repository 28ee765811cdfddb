package dev.hostupiso.worker.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** The {@code promtool check metrics} findings accepted, each with why: names that libraries choose, not the worker. */
final class LintPolicy {

    private LintPolicy() {
    }

    static Map<Pattern, String> accepted() {
        Map<Pattern, String> accepted = new LinkedHashMap<>();
        // Kafka client metrics, bound by Micrometer's KafkaClientMetrics under the Kafka client's own
        // metric names: `*-time-ns-total`, `start-time-ms` ("abbreviated units"), `connection-count`
        // gauges ("_count suffix"), node-level latency metrics without a description ("no help text").
        accepted.put(Pattern.compile("^kafka_\\S+ (metric names should not contain abbreviated units"
                + "|non-histogram and non-summary metrics should not have \"_count\" suffix|no help text)$"),
                "Kafka client metric names, chosen by the Kafka client");
        // Quarkus' Vert.x HTTP binder and the Netty allocator binder register these without a description.
        accepted.put(Pattern.compile("^(http_server|netty)_\\S+ no help text$"),
                "Quarkus/Netty binders register no description");
        // Micrometer's ProcessorMetrics: fixed names `process.cpu.time` (base unit ns) and `system.cpu.count`.
        accepted.put(Pattern.compile("^process_cpu_time_ns_total metric names should not contain abbreviated units$"),
                "Micrometer ProcessorMetrics name");
        accepted.put(Pattern.compile("^system_cpu_count non-histogram and non-summary metrics should not have \"_count\" suffix$"),
                "Micrometer ProcessorMetrics name");
        return accepted;
    }
}
