package dev.hostupiso.worker.config;

import dev.hostupiso.worker.testsupport.TestConfig;
import io.smallrye.config.SmallRyeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each start-up rule refuses its bad value with a message naming the setting; the defaults pass. */
class SettingsCheckTest {

    private static final Optional<Duration> SHUTDOWN = Optional.of(Duration.ofSeconds(30));

    private static List<String> problems(Map<String, String> settings) {
        SmallRyeConfig c = TestConfig.of(settings);
        return SettingsCheck.problems(c.getConfigMapping(WorkerConfig.class), c.getConfigMapping(AccountsConfig.class),
                c.getConfigMapping(HostUpConfig.class), SHUTDOWN);
    }

    @Test
    void theDefaultsPass() {
        assertThat(problems(Map.of())).isEmpty();
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                arguments("iso.submit.max-attempts", "0", "ISO_SUBMIT_MAX_ATTEMPTS"),
                arguments("iso.max-in-flight", "0", "ISO_MAX_IN_FLIGHT"),
                arguments("hostup.accounts.max-waiting", "-1", "HOSTUP_ACCOUNTS_MAX_WAITING"),
                arguments("iso.hand-over-grace", "30s", "ISO_HAND_OVER_GRACE"), // = the shutdown timeout
                arguments("iso.hand-over-grace", "-1s", "ISO_HAND_OVER_GRACE"),
                arguments("iso.job-timeout", "0s", "ISO_JOB_TIMEOUT"),
                arguments("iso.poll.initial-delay", "0s", "ISO_POLL_INITIAL_DELAY"),
                arguments("iso.poll.max-delay", "1s", "ISO_POLL_MAX_DELAY"), // below the 2 s initial delay
                arguments("iso.poll.progress-max-delay", "30s", "ISO_POLL_PROGRESS_MAX_DELAY"), // below the 60 s cap
                arguments("iso.retry-after-max", "0s", "ISO_RETRY_AFTER_MAX"),
                arguments("iso.progress.min-interval", "-1s", "ISO_PROGRESS_MIN_INTERVAL"),
                arguments("iso.submit.ambiguity-window", "-1s", "ISO_SUBMIT_AMBIGUITY_WINDOW"),
                arguments("iso.forbidden-hold.confirmation", "-1s", "ISO_FORBIDDEN_HOLD_CONFIRMATION"),
                arguments("iso.resolve-attempts", "0", "ISO_RESOLVE_ATTEMPTS"),
                arguments("iso.job-not-found-retries", "-1", "ISO_JOB_NOT_FOUND_RETRIES"),
                arguments("iso.forbidden-hold.vpss", "0", "ISO_FORBIDDEN_HOLD_VPSS"),
                arguments("iso.url-max-redirects", "-1", "ISO_URL_MAX_REDIRECTS"),
                arguments("iso.url-preflight.timeout", "0s", "ISO_URL_PREFLIGHT_TIMEOUT"),
                arguments("iso.rate-limit.burst", "0.5", "ISO_RATE_LIMIT_BURST"),
                arguments("hostup.api.request-timeout", "0s", "HOSTUP_API_REQUEST_TIMEOUT"),
                arguments("hostup.api.max-connections", "0", "HOSTUP_API_MAX_CONNECTIONS"),
                arguments("iso.ledger.retention", "0s", "ISO_LEDGER_RETENTION"),
                arguments("iso.ledger.sweep-interval", "0s", "ISO_LEDGER_SWEEP_INTERVAL"),
                arguments("iso.topics.partitions", "0", "ISO_TOPICS_PARTITIONS"),
                arguments("iso.topics.replication-factor", "0", "ISO_TOPICS_REPLICATION_FACTOR"),
                arguments("hostup.accounts.reload-interval", "0s", "HOSTUP_ACCOUNTS_RELOAD_INTERVAL"));
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @MethodSource("rules")
    void aBadValueIsRefusedNamingItsVariable(String property, String value, String variable) {
        List<String> problems = problems(Map.of(property, value));
        assertThat(problems).as(property + "=" + value).hasSize(1);
        assertThat(problems.get(0)).startsWith(variable);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThat(problems(Map.of("iso.max-in-flight", "0", "iso.submit.max-attempts", "-2"))).hasSize(2);
    }
}
