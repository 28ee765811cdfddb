package dev.hostupiso.worker.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.hostupiso.worker.simulator.HostUpSimulator;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static dev.hostupiso.worker.deploy.Rendered.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard against a real Prometheus (Debian package {@code prometheus}): the server scrapes
 * this test's running worker every second while the HostUp simulator drives varied traffic through
 * the real broker, then every PromQL expression of {@code deploy/grafana/hostup-iso-worker.json} is
 * evaluated through Prometheus' HTTP API and must return data. The same server loads
 * {@code deploy/prometheus/alerts.yaml}: every rule must evaluate without error, and every alert
 * expression is queried (see {@link #ALERT_PROBES}). Also lints a scrape with
 * {@code promtool check metrics}. Without {@code prometheus} on PATH the class is skipped locally and
 * fails on CI ({@code CI=true}).
 * <p>
 * Runs after the other tests of the shared worker ({@link Order}): Kafka's per-partition client metrics appear a
 * minute after the consumer started (see {@link #awaitKafkaPartitionMetrics}), which a first test class waits out.
 */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
@Order(Integer.MAX_VALUE)
class PrometheusEndToEndTest {

    /** Labels the scrape config adds by relabelling, as a Kubernetes ServiceMonitor would. */
    static final String NAMESPACE = "iso-e2e";
    static final String POD = "hostup-iso-worker-7d9f8-x2x4q";
    static final String CLUSTER = "e2e";
    static final String JOB = "hostup-iso-worker";
    static final String GROUP = "hostup-iso-worker";
    static final Duration OUTCOME_TIMEOUT = Duration.ofSeconds(20);

    /**
     * Dashboard expressions (verbatim, before variable substitution) that may legitimately return no
     * data here, each with the reason. Keep it short: every entry is a panel this test cannot vouch
     * for. Currently empty: every expression of the dashboard returns data (not only NaN), with
     * "All" selected and with the one namespace/pod selected.
     */
    static final Map<String, String> MAY_HAVE_NO_DATA = Map.of();

    /**
     * {@code promtool check metrics} findings that are accepted, with why they cannot be fixed here.
     * Matched against whole output lines ({@code <metric> <problem>}).
     */
    static final Map<Pattern, String> ACCEPTED_LINT = LintPolicy.accepted();

    static Path prometheusBinary;
    static Path promtoolBinary;
    static Process prometheus;
    static Path workDir;
    static URI prometheusUrl;
    static HttpServer stubExporter;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @BeforeAll
    static void findPrometheus() {
        Optional<Path> server = PromtoolTest.onPath("prometheus");
        Optional<Path> tool = PromtoolTest.onPath("promtool");
        if (server.isEmpty() || tool.isEmpty()) {
            String hint = "prometheus/promtool are not on PATH (apt-get install -y --no-install-recommends prometheus)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(hint + " but CI=true");
            }
            assumeTrue(false, hint + "; skipped outside CI");
        }
        prometheusBinary = server.get();
        promtoolBinary = tool.get();
    }

    @AfterAll
    static void stopPrometheus() throws InterruptedException {
        if (prometheus != null && prometheus.isAlive()) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        prometheus = null;
        if (stubExporter != null) {
            stubExporter.stop(0);
            stubExporter = null;
        }
        trafficDone = false;
    }

    // ------------------------------------------------------------------------------------ tests

    @Test
    @DisplayName("every PromQL expression of the dashboard returns data from a real Prometheus scraping the worker under traffic")
    void everyDashboardExpressionReturnsData() throws Exception {
        startWithTraffic(metrics);

        List<DashboardQueries.Panel> panels = DashboardQueries.expressions();
        assertThat(panels).as("expressions found in the dashboard").hasSizeGreaterThanOrEqualTo(25);
        List<String> queries = new ArrayList<>();
        for (DashboardQueries.Panel p : panels) {
            if (!MAY_HAVE_NO_DATA.containsKey(p.expr())) {
                // As Grafana sends it with "All" selected, and with the one namespace/pod selected.
                queries.add(DashboardQueries.substitute(p.expr(), Map.of("cluster", ".*", "namespace", ".*", "job", ".*", "pod", ".*",
                        "consumergroup", GROUP)));
                queries.add(DashboardQueries.substitute(p.expr(), Map.of("cluster", CLUSTER, "namespace", NAMESPACE, "job", JOB, "pod", POD,
                        "consumergroup", GROUP)));
            }
        }
        List<String> problems = new ArrayList<>();
        List<String> empty = new ArrayList<>();
        for (String promql : queries) {
            JsonNode result = query(promql);
            if (result.isEmpty()) {
                empty.add(promql);
            } else if (allNaN(result)) {
                // Non-empty, yet Grafana would draw nothing: e.g. a quantile or ratio of rates that are all 0.
                problems.add("only NaN: " + promql);
            }
        }

        // A few values that prove the traffic really went through what the panels show (checked now:
        // Micrometer's *_max gauges decay within two minutes).
        assertThat(scalar("sum(isoworker_requests_total{outcome=\"failed\", code=\"job_failed\"})")).isGreaterThanOrEqualTo(2);
        assertThat(scalar("sum(isoworker_requests_total{outcome=\"failed\", code=\"invalid_request\"})")).isGreaterThanOrEqualTo(2);
        assertThat(scalar("sum(isoworker_requests_total{outcome=\"dead_lettered\", code=\"poison\"})")).isGreaterThanOrEqualTo(2);
        assertThat(scalar("sum(isoworker_api_calls_total{status=\"429\"})")).isGreaterThanOrEqualTo(2);
        assertThat(scalar("max(isoworker_retry_after_wait_seconds_max)")).isGreaterThanOrEqualTo(0.9);
        assertThat(scalar("max(isoworker_rate_limit_limit)")).isEqualTo(PrometheusTraffic.RATE_LIMIT_CALLS);
        assertThat(scalar("count(up{job=\"hostup-iso-worker\", namespace=\"" + NAMESPACE + "\", pod=\"" + POD + "\"} == 1)"))
                .isEqualTo(1);
        Map<String, String> expected = Map.of("cluster", CLUSTER, "namespace", NAMESPACE, "job", JOB, "pod", POD);
        for (String variable : expected.keySet()) {
            List<String> values = labelValues(variable, "isoworker_max_in_flight");
            if (!values.contains(expected.get(variable))) {
                problems.add("dashboard variable $" + variable + " would offer " + values);
            }
        }

        // Two kafka-exporter replicas report the same partition: the committed-lag panel counts it once.
        assertThat(scalar("count(kafka_consumergroup_lag{job=\"kafka-exporter\"})")).isEqualTo(2);
        String committedLag = panels.stream().map(DashboardQueries.Panel::expr).filter(e -> e.contains("kafka_consumergroup_lag"))
                .findFirst().orElseThrow();
        assertThat(scalar("(" + DashboardQueries.substitute(committedLag, Map.of("cluster", CLUSTER, "consumergroup", GROUP))
                + ") - on (consumergroup, topic) max by (consumergroup, topic) (kafka_consumergroup_lag{job=\"kafka-exporter\"})"))
                .as("the panel's lag minus one replica's").isZero();
        assertThat(labelValues("account", "isoworker_job_api_calls_count")).as("calls per job by account").contains("default");

        awaitKafkaPartitionMetrics(empty);
        empty.forEach(promql -> problems.add("no data: " + promql));
        assertThat(problems).as("dashboard expressions without data (Prometheus log: %s)", workDir.resolve("prometheus.log"))
                .isEmpty();
        assertThat(MAY_HAVE_NO_DATA.keySet()).as("allow-listed expressions still exist in the dashboard")
                .allMatch(expr -> panels.stream().anyMatch(p -> p.expr().equals(expr)));
    }

    /**
     * What each alert of deploy/prometheus/alerts.yaml is checked with against the live worker. A
     * probe is a part of the alert's expression (asserted to be one, so the two cannot drift) that
     * must return data that is not only NaN: it proves the selectors, labels and joins match what the
     * worker really exposes. The threshold comparisons themselves are proven by promtool
     * (alerts_test.yaml). {@link #FULL_EXPRESSION} alerts are queried whole: the stub exporter makes
     * their condition true.
     */
    static final Map<String, List<String>> ALERT_PROBES = Map.ofEntries(
            Map.entry("HostupIsoWorkerApiKeyRejected", List.of(
                    "max by (namespace, pod) (isoworker_api_key_rejected{job=~\".*hostup-iso-worker.*\"})")),
            Map.entry("HostupIsoWorkerApiKeyForbidden", List.of(
                    "max by (namespace, pod, reason) (isoworker_api_key_hold{job=~\".*hostup-iso-worker.*\", account=~\"default|\", reason=~\"forbidden|missing_scope\"})")),
            Map.entry("HostupIsoWorkerTeamApiKeyHeld", List.of(
                    "max by (namespace, account, reason) (isoworker_api_key_hold{job=~\".*hostup-iso-worker.*\", account!~\"default|\"})")),
            Map.entry("HostupIsoWorkerNoInstanceReady", List.of(
                    "max by (namespace) (isoworker_api_key_rejected{job=~\".*hostup-iso-worker.*\"})",
                    "max by (namespace) (isoworker_api_key_hold{job=~\".*hostup-iso-worker.*\", account=~\"default|\"})",
                    "max by (namespace) (isoworker_ledger_stalled{job=~\".*hostup-iso-worker.*\"})")),
            Map.entry("HostupIsoWorkerHostUpErrors", List.of("""
                    (
                        sum by (namespace) (rate(isoworker_api_calls_total{job=~".*hostup-iso-worker.*", status=~"5..|timeout|io_error"}[10m]))
                      /
                        sum by (namespace) (rate(isoworker_api_calls_total{job=~".*hostup-iso-worker.*"}[10m]))
                    )""",
                    "sum by (namespace) (increase(isoworker_api_calls_total{job=~\".*hostup-iso-worker.*\", status=~\"5..|timeout|io_error\"}[10m]))")),
            Map.entry("HostupIsoWorkerHighFailureRatio", List.of("""
                    (
                        sum by (namespace) (rate(isoworker_requests_total{job=~".*hostup-iso-worker.*", outcome="failed", code!~"invalid_request|unknown_account|account_not_allowed"}[15m]))
                      /
                        sum by (namespace) (rate(isoworker_requests_total{job=~".*hostup-iso-worker.*", outcome=~"completed|failed", code!~"invalid_request|unknown_account|account_not_allowed"}[15m]))
                    )""",
                    "sum by (namespace) (increase(isoworker_requests_total{job=~\".*hostup-iso-worker.*\", outcome=\"failed\", code!~\"invalid_request|unknown_account|account_not_allowed\"}[15m]))")),
            Map.entry("HostupIsoWorkerDeadLettering", List.of(
                    "increase(isoworker_requests_total{job=~\".*hostup-iso-worker.*\", outcome=\"dead_lettered\"}[15m])")),
            Map.entry("HostupIsoWorkerRateLimited", List.of(
                    "sum by (namespace) (rate(isoworker_api_calls_total{job=~\".*hostup-iso-worker.*\", status=\"429\"}[5m]))")),
            Map.entry("HostupIsoWorkerJobsStuckPastDeadline", List.of(
                    "max by (namespace, pod) (isoworker_jobs_oldest_age_seconds{job=~\".*hostup-iso-worker.*\"})",
                    "max by (namespace, pod) (isoworker_job_timeout_seconds{job=~\".*hostup-iso-worker.*\"})")),
            Map.entry("HostupIsoWorkerIntakeSaturated", List.of(
                    "max by (namespace, pod) (isoworker_jobs_in_flight{job=~\".*hostup-iso-worker.*\"})",
                    "max by (namespace, pod) (isoworker_max_in_flight{job=~\".*hostup-iso-worker.*\"})")),
            Map.entry("HostupIsoWorkerConsumerLagGrowing", List.of()),
            Map.entry("HostupIsoWorkerLedgerStalled", List.of(
                    "max by (namespace, pod) (isoworker_ledger_stalled{job=~\".*hostup-iso-worker.*\"})")),
            Map.entry("HostupIsoWorkerLedgerRecordsRejected", List.of(
                    "sum by (namespace) (increase(isoworker_ledger_failures_total{job=~\".*hostup-iso-worker.*\", kind=\"rejected\"}[15m]))")),
            Map.entry("HostupIsoWorkerTargetDown", List.of(
                    "max by (namespace, pod, instance) (up{job=~\".*hostup-iso-worker.*\"})")),
            Map.entry("HostupIsoWorkerMetricsAbsent", List.of(
                    "up{job=~\".*hostup-iso-worker.*\"} == 1")));

    /** Alerts whose whole expression returns data here: the stub exporter reports no available replica and a growing committed lag. */
    static final Set<String> FULL_EXPRESSION = Set.of("HostupIsoWorkerNoInstanceReady", "HostupIsoWorkerConsumerLagGrowing");

    /** Alerts a healthy, scraped worker must leave inactive in the rule evaluation of the real Prometheus. */
    static final Set<String> INACTIVE_WHEN_HEALTHY = Set.of("HostupIsoWorkerApiKeyRejected", "HostupIsoWorkerApiKeyForbidden", "HostupIsoWorkerTeamApiKeyHeld",
            "HostupIsoWorkerHostUpErrors", "HostupIsoWorkerLedgerStalled", "HostupIsoWorkerLedgerRecordsRejected",
            "HostupIsoWorkerTargetDown", "HostupIsoWorkerMetricsAbsent");

    @Test
    @DisplayName("every alert rule evaluates without error in a real Prometheus, and every alert expression is queried and returns data")
    void everyAlertExpressionReturnsData() throws Exception {
        startWithTraffic(metrics);
        Map<String, String> alerts = new LinkedHashMap<>();
        for (JsonNode rule : DeployFilesTest.rules()) {
            alerts.put(rule.path("alert").asText(), rule.path("expr").asText());
        }
        assertThat(ALERT_PROBES.keySet()).as("every alert has probes, and only alerts of the file").isEqualTo(alerts.keySet());

        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> alert : alerts.entrySet()) {
            String expr = alert.getValue();
            List<String> promqls = new ArrayList<>();
            for (String probe : ALERT_PROBES.get(alert.getKey())) {
                assertThat(expr).as("probe of %s is part of its expression", alert.getKey()).contains(probe);
                promqls.add(probe);
            }
            if (FULL_EXPRESSION.contains(alert.getKey())) {
                promqls.add(expr);
            }
            assertThat(promqls).as(alert.getKey()).isNotEmpty();
            for (String promql : promqls) {
                JsonNode result = awaitData(promql);
                if (result.isEmpty()) {
                    problems.add(alert.getKey() + " no data: " + promql);
                } else if (allNaN(result)) {
                    problems.add(alert.getKey() + " only NaN: " + promql);
                }
            }
        }
        assertThat(problems).as("alert expressions without data").isEmpty();

        // One cause, one page, on real series: the worker's healthy key/ledger gauges (0) do not hide a
        // deployment without ready replicas, and a scraped worker is not "absent".
        assertThat(query(alerts.get("HostupIsoWorkerNoInstanceReady"))).singleElement()
                .satisfies(r -> assertThat(r.at("/metric/namespace").asText()).isEqualTo(NAMESPACE));
        assertThat(query("absent(up{job=~\".*hostup-iso-worker.*\"} == 1)")).as("worker scraped, not absent").isEmpty();

        Map<String, JsonNode> states = awaitRuleStates(Set.of("HostupIsoWorkerNoInstanceReady", "HostupIsoWorkerConsumerLagGrowing"));
        assertThat(states.keySet()).isEqualTo(alerts.keySet());
        for (Map.Entry<String, JsonNode> rule : states.entrySet()) {
            assertThat(rule.getValue().path("health").asText()).as("%s: %s", rule.getKey(), rule.getValue().path("lastError"))
                    .isEqualTo("ok");
        }
        for (String name : INACTIVE_WHEN_HEALTHY) {
            assertThat(states.get(name).path("state").asText()).as(name).isEqualTo("inactive");
        }
    }

    /** Queries until data arrives (rate windows and the stub's second sample need a few scrapes), at most 15 s. */
    static JsonNode awaitData(String promql) throws Exception {
        Instant deadline = Instant.now().plusSeconds(15);
        JsonNode result = query(promql);
        while ((result.isEmpty() || allNaN(result)) && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
            result = query(promql);
        }
        return result;
    }

    /** Rule name → rule of /api/v1/rules, once every rule was evaluated and {@code active} are pending or firing. */
    static Map<String, JsonNode> awaitRuleStates(Set<String> active) {
        Map<String, JsonNode> states = new TreeMap<>();
        Awaitility.await("rules evaluated").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
            states.clear();
            JsonNode body = JSON.readTree(get("/api/v1/rules?type=alert").body());
            for (JsonNode group : body.at("/data/groups")) {
                for (JsonNode rule : group.path("rules")) {
                    states.put(rule.path("name").asText(), rule);
                }
            }
            return !states.isEmpty()
                    && states.values().stream().noneMatch(r -> r.path("lastEvaluation").asText().startsWith("0001-"))
                    && active.stream().allMatch(a -> states.containsKey(a) && !"inactive".equals(states.get(a).path("state").asText()));
        });
        return states;
    }

    // ------------------------------------------------------------------------------ shared run

    static boolean trafficDone;

    /** Starts Prometheus (with the stub exporter and the rules) and drives the traffic, once per class. */
    static synchronized void startWithTraffic(URL metrics) throws Exception {
        if (trafficDone) {
            return;
        }
        startPrometheus(metrics);
        awaitScrapes(2);

        HostUpSimulator sim = WorkerTestEnvironment.simulator();
        // Two waves: Micrometer creates a labelled series on its first increment, and rate() needs two
        // samples of it, so the second wave makes every rate() of the first wave's series non-zero.
        PrometheusTraffic.wave(sim, 1);
        awaitScrapes(1);
        PrometheusTraffic.wave(sim, 2);
        PrometheusTraffic.rateLimitedWindow(sim);
        Instant done = Instant.now();
        awaitScrapeAfter(done);
        trafficDone = true;
    }

    @Test
    @DisplayName("promtool check metrics finds no problem in a Prometheus text-format scrape beyond the documented ones")
    void promtoolCheckMetrics() throws Exception {
        HttpResponse<String> scrape = HTTP.send(HttpRequest.newBuilder(metrics.toURI())
                .header("Accept", "text/plain; version=0.0.4").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(scrape.body()).contains("isoworker_max_in_flight");

        Process process = new ProcessBuilder(promtoolBinary.toString(), "check", "metrics").redirectErrorStream(true).start();
        process.getOutputStream().write(scrape.body().getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();

        List<String> unexpected = output.lines().filter(line -> !line.isBlank())
                .filter(line -> ACCEPTED_LINT.keySet().stream().noneMatch(p -> p.matcher(line).matches())).toList();
        assertThat(unexpected).as("promtool check metrics (exit %d):%n%s", process.exitValue(), output).isEmpty();
        // Exit 0 is a clean scrape; 3 means lint findings only (all accepted above). Anything else is a parse error.
        assertThat(process.exitValue()).as("promtool exit code; output:%n%s", output).isIn(0, 3);
        assertThat(output.lines().filter(l -> l.startsWith("isoworker_")))
                .as("the worker's own metrics follow the naming conventions").isEmpty();
    }

    /**
     * Per-partition Kafka consumer metrics ({@code kafka_consumer_fetch_manager_records_lag{topic,partition}})
     * exist in the client only once partitions are assigned, and Micrometer's {@code KafkaClientMetrics}
     * (as bound by Quarkus) picks up new client metrics at its refresh, 60 s after the consumer was created.
     * Empty expressions over {@code kafka_*} series are therefore re-evaluated until that refresh has been
     * scraped (no wait when the worker has been up for longer, e.g. after the other test classes ran).
     * Any other empty expression is not waited for.
     */
    static void awaitKafkaPartitionMetrics(List<String> empty) throws Exception {
        if (empty.stream().noneMatch(q -> q.contains("kafka_"))) {
            return;
        }
        double consumerStartMs = scalarOr("max(kafka_app_info_start_time_ms{client_id=~\"kafka-consumer-.*\"})", System.currentTimeMillis());
        Instant deadline = Instant.ofEpochMilli((long) consumerStartMs).plus(KAFKA_METRICS_REFRESH).plusSeconds(5);
        while (Instant.now().isBefore(deadline) && empty.stream().anyMatch(q -> q.contains("kafka_"))) {
            Thread.sleep(500);
            for (String promql : List.copyOf(empty)) {
                if (promql.contains("kafka_") && !query(promql).isEmpty()) {
                    empty.remove(promql);
                }
            }
        }
    }

    /** Micrometer's {@code KafkaMetrics} default refresh interval (Quarkus does not change it). */
    static final Duration KAFKA_METRICS_REFRESH = Duration.ofSeconds(60);

    // ------------------------------------------------------------------------------- prometheus

    static void startPrometheus(URL target) throws Exception {
        workDir = Path.of("target", "prometheus-e2e").toAbsolutePath();
        deleteRecursively(workDir);
        Files.createDirectories(workDir.resolve("data"));
        int port = freePort();
        Path rules = workDir.resolve("alerts.yaml");
        Files.copy(Rendered.ALERTS, rules);
        String config = """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %1$s
                scrape_configs:
                  - job_name: kube-state-metrics
                    static_configs:
                      - targets: ["127.0.0.1:%2$d"]
                  # Two replicas of kafka-exporter (the stub twice), in their own namespace.
                  - job_name: kafka-exporter
                    metrics_path: /kafka-exporter
                    static_configs:
                      - targets: ["127.0.0.1:%2$d", "localhost:%2$d"]
                    relabel_configs:
                      - target_label: namespace
                        replacement: kafka
                      - target_label: cluster
                        replacement: %7$s
                  - job_name: hostup-iso-worker
                    metrics_path: %3$s
                    static_configs:
                      - targets: ["127.0.0.1:%4$d"]
                    relabel_configs:
                      # What the ServiceMonitor's Kubernetes service discovery adds in a cluster.
                      - target_label: namespace
                        replacement: %5$s
                      - target_label: pod
                        replacement: %6$s
                      - target_label: cluster
                        replacement: %7$s
                """.formatted(rules, startStubExporter(), target.getPath(), target.getPort(), NAMESPACE, POD, CLUSTER);
        Path configFile = workDir.resolve("prometheus.yml");
        Files.writeString(configFile, config);
        prometheus = new ProcessBuilder(prometheusBinary.toString(),
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + workDir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("prometheus.log").toFile())
                .start();
        Process started = prometheus;
        // @AfterAll stops it; this only covers a test JVM that is killed before.
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "stop-prometheus"));
        prometheusUrl = URI.create("http://127.0.0.1:" + port);
        Awaitility.await("Prometheus ready").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!prometheus.isAlive()) {
                        throw new AssertionError("prometheus exited: " + Files.readString(workDir.resolve("prometheus.log")));
                    }
                    try {
                        return get("/-/ready").statusCode() == 200;
                    } catch (java.io.IOException notListeningYet) {
                        return false;
                    }
                });
    }

    /**
     * Serves, on loopback, the series of the two exporters the alerts read besides the worker:
     * kube-state-metrics (the worker's Deployment, wanting a replica and having none available) and
     * kafka-exporter (the group's committed lag, growing by ten records a second). They are not run
     * here; this stub has their metric and label names, so the alerts' joins meet real label sets.
     */
    static int startStubExporter() throws IOException {
        long start = System.currentTimeMillis();
        stubExporter = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stubExporter.createContext("/metrics", exchange -> serve(exchange, """
                # TYPE kube_deployment_spec_replicas gauge
                kube_deployment_spec_replicas{namespace="%1$s",deployment="hostup-iso-worker"} 1
                # TYPE kube_deployment_status_replicas_available gauge
                kube_deployment_status_replicas_available{namespace="%1$s",deployment="hostup-iso-worker"} 0
                """.formatted(NAMESPACE)));
        // Whole seconds: both replicas report the same lag within a second, as real ones read the same offsets.
        stubExporter.createContext("/kafka-exporter", exchange -> serve(exchange, """
                # TYPE kafka_consumergroup_lag gauge
                kafka_consumergroup_lag{consumergroup="hostup-iso-worker",topic="iso-download-requests",partition="0"} %d
                """.formatted(2000 + (System.currentTimeMillis() - start) / 1000 * 10)));
        stubExporter.start();
        return stubExporter.getAddress().getPort();
    }

    private static void serve(com.sun.net.httpserver.HttpExchange exchange, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
        exchange.sendResponseHeaders(200, body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Waits until {@code n} more successful scrapes of the worker have been ingested. */
    static void awaitScrapes(int n) {
        double before = scalarOr("sum(count_over_time(up{job=\"hostup-iso-worker\"}[10m]))", 0);
        Awaitility.await("scrapes of the worker").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> scalarOr("sum(count_over_time(up{job=\"hostup-iso-worker\"}[10m]))", 0) >= before + n
                        && scalarOr("max(up{job=\"hostup-iso-worker\"})", 0) == 1);
    }

    /** Waits until a scrape that started after {@code instant} has been ingested. */
    static void awaitScrapeAfter(Instant instant) {
        double after = instant.toEpochMilli() / 1000.0;
        Awaitility.await("a scrape after " + instant).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> scalarOr("max(timestamp(up{job=\"hostup-iso-worker\"}))", 0) > after);
    }

    static JsonNode query(String promql) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("query failed (" + response.statusCode() + "): " + promql + " → " + response.body());
        }
        return body.at("/data/result");
    }

    static boolean allNaN(JsonNode result) {
        for (JsonNode series : result) {
            if (!"NaN".equals(series.at("/value/1").asText())) {
                return false;
            }
        }
        return true;
    }

    static double scalar(String promql) throws IOException, InterruptedException {
        JsonNode result = query(promql);
        assertThat(result).as("result of %s", promql).hasSize(1);
        return Double.parseDouble(result.get(0).at("/value/1").asText());
    }

    static double scalarOr(String promql, double fallback) {
        try {
            JsonNode result = query(promql);
            return result.isEmpty() ? fallback : Double.parseDouble(result.get(0).at("/value/1").asText());
        } catch (IOException | InterruptedException e) {
            return fallback;
        }
    }

    static List<String> labelValues(String label, String match) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/v1/label/" + label + "/values?match[]="
                + URLEncoder.encode(match, StandardCharsets.UTF_8));
        List<String> values = new ArrayList<>();
        JSON.readTree(response.body()).path("data").forEach(v -> values.add(v.asText()));
        return values;
    }

    static HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(prometheusUrl.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

}
