package dev.hostupiso.worker.config;

import dev.hostupiso.worker.testsupport.TestConfig;
import io.smallrye.config.SmallRyeConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documented property names reach their settings: the names are derived from the method names
 * (kebab case), so renaming a method would silently move a setting users already set.
 */
class ConfigNamesTest {

    @Test
    void everyDocumentedWorkerPropertyIsRead() {
        WorkerConfig c = TestConfig.worker(Map.ofEntries(
                Map.entry("iso.requests-topic", "req"), Map.entry("iso.events-topic", "ev"),
                Map.entry("iso.dlq-topic", "dlq"), Map.entry("iso.ledger-topic", "led"),
                Map.entry("iso.events-source", "/src"), Map.entry("iso.retry-after-max", "7m"),
                Map.entry("iso.job-timeout", "2h"), Map.entry("iso.max-in-flight", "17"),
                Map.entry("iso.resolve-attempts", "9"), Map.entry("iso.job-not-found-retries", "8"),
                Map.entry("iso.hand-over-grace", "11s"), Map.entry("iso.submit.max-attempts", "4"),
                Map.entry("iso.submit.ambiguity-window", "3m"), Map.entry("iso.forbidden-hold.vpss", "6"),
                Map.entry("iso.forbidden-hold.confirmation", "12s"), Map.entry("iso.poll.initial-delay", "3s"),
                Map.entry("iso.poll.max-delay", "90s"), Map.entry("iso.ledger.retention", "2d"),
                Map.entry("iso.ledger.sweep-interval", "5m"), Map.entry("iso.ledger.transactional-id-prefix", "tx"),
                Map.entry("iso.topics.create", "false"), Map.entry("iso.topics.partitions", "12"),
                Map.entry("iso.topics.replication-factor", "3")));
        assertThat(List.of(c.requestsTopic(), c.eventsTopic(), c.dlqTopic(), c.ledgerTopic(), c.eventsSource()))
                .containsExactly("req", "ev", "dlq", "led", "/src");
        assertThat(List.of(c.retryAfterMax(), c.jobTimeout(), c.handOverGrace(), c.submit().ambiguityWindow(),
                c.forbiddenHold().confirmation(), c.poll().initialDelay(), c.poll().maxDelay(), c.ledger().retention(),
                c.ledger().sweepInterval())).containsExactly(Duration.ofMinutes(7), Duration.ofHours(2),
                Duration.ofSeconds(11), Duration.ofMinutes(3), Duration.ofSeconds(12), Duration.ofSeconds(3),
                Duration.ofSeconds(90), Duration.ofDays(2), Duration.ofMinutes(5));
        assertThat(List.of(c.maxInFlight(), c.resolveAttempts(), c.jobNotFoundRetries(), c.submit().maxAttempts(),
                c.forbiddenHold().vpss(), c.topics().partitions())).containsExactly(17, 9, 8, 4, 6, 12);
        assertThat(c.ledger().transactionalIdPrefix()).isEqualTo("tx");
        assertThat(c.topics().create()).isFalse();
        assertThat(c.topics().replicationFactor()).contains((short) 3);
    }

    @Test
    void everyDocumentedHostUpPropertyIsRead() {
        SmallRyeConfig config = TestConfig.of(Map.of("hostup.api.request-timeout", "5s", "hostup.api.max-connections", "7",
                "hostup.api.proxy-username", "u", "hostup.api.proxy-password", "p",
                "hostup.api.non-proxy-hosts", "a.example,*.b.example", "hostup.api.ca-file", "/ca.pem",
                "hostup.api.instance-name", "pod-7"));
        HostUpConfig c = config.getConfigMapping(HostUpConfig.class);
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.maxConnections()).isEqualTo(7);
        assertThat(c.proxyUsername()).contains("u");
        assertThat(c.proxyPassword()).contains("p");
        assertThat(c.nonProxyHosts()).isEqualTo(Optional.of(List.of("a.example", "*.b.example")));
        assertThat(c.caFile()).contains("/ca.pem");
        assertThat(c.instanceName()).isEqualTo("pod-7");
    }
}
