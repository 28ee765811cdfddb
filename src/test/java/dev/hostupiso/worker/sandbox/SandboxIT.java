package dev.hostupiso.worker.sandbox;

import dev.hostupiso.worker.testsupport.WorkerLogsOnFailure;
import org.junit.jupiter.api.extension.ExtendWith;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.localstack.LocalStack;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.localstack.TopicWatcher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sandbox as a consuming team uses it: started in this JVM with the packaged worker (run {@code mvn package}
 * first), one request per scenario (one through the bundled {@code send-request} script), the outcome each
 * scenario promises, then a clean stop: the worker process, the simulator and the broker are gone.
 */
@ExtendWith(WorkerLogsOnFailure.class)
class SandboxIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ScenarioTimings FAST =
            new ScenarioTimings(Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(2), 2);

    @Test
    void eachScenarioGivesItsOutcomeAndStoppingLeavesNothingRunning() throws Exception {
        CopyOnWriteArrayList<String> printed = new CopyOnWriteArrayList<>();
        Sandbox sandbox = Sandbox.start(Path.of("target"), Path.of("target", "it", "sandbox"), FAST, line -> {
            printed.add(line);
            System.out.println("[sandbox] " + line);
        });
        long workerPid = sandbox.stack().worker().pid();
        int simulatorPort = sandbox.stack().hostup().port();
        URI broker = URI.create("kafka://" + sandbox.bootstrapServers());
        Map<Scenario, SendRequest.Request> sent = new LinkedHashMap<>();
        try (TopicWatcher events = new TopicWatcher(sandbox.bootstrapServers(), LocalStack.EVENTS)) {
            sandbox.printUsage();
            assertThat(String.join("\n", printed)).contains(sandbox.bootstrapServers(), "send-request slow", "kcat -P");

            Random random = new Random(7);
            for (Scenario s : Scenario.values()) {
                if (s != Scenario.NORMAL) {
                    SendRequest.Request r = SendRequest.request(SendRequest.word(s), null, null, random);
                    SendRequest.send(sandbox.bootstrapServers(), LocalStack.REQUESTS, r);
                    sent.put(s, r);
                }
            }
            sent.put(Scenario.NORMAL, sendWithScript(sandbox));

            Map<Scenario, JsonNode> outcome = new LinkedHashMap<>();
            Instant deadline = Instant.now().plusSeconds(45);
            for (Map.Entry<Scenario, SendRequest.Request> e : sent.entrySet()) {
                ConsumerRecord<String, String> r = events.awaitKey(LocalStack.EVENTS, e.getValue().requestId(),
                        Duration.between(Instant.now(), deadline));
                outcome.put(e.getKey(), JSON.readTree(r.value()));
            }

            assertThat(outcome.get(Scenario.NORMAL).get("status").asText()).isEqualTo("completed");
            assertThat(outcome.get(Scenario.NORMAL).get("isoId").asText()).startsWith("iso_");

            JsonNode slow = outcome.get(Scenario.SLOW);
            assertThat(slow.get("status").asText()).isEqualTo("completed");
            assertThat(Duration.between(Instant.parse(slow.get("submittedAt").asText()),
                    Instant.parse(slow.get("finishedAt").asText()))).isGreaterThanOrEqualTo(FAST.slowDownload());

            assertThat(outcome.get(Scenario.FAIL).get("status").asText()).isEqualTo("failed");
            assertThat(outcome.get(Scenario.FAIL).at("/error/code").asText()).isEqualTo("job_failed");

            assertThat(outcome.get(Scenario.RATE_LIMITED).get("status").asText()).isEqualTo("completed");
            assertThat(sandbox.stack().hostup().calls(sent.get(Scenario.RATE_LIMITED).vpsId(), Endpoint.FROM_URL))
                    .extracting(c -> c.status()).containsExactly(429, 429, 202);

            assertThat(outcome.get(Scenario.FLAKY).get("status").asText()).isEqualTo("completed");
            assertThat(sandbox.stack().hostup().calls(sent.get(Scenario.FLAKY).vpsId(), Endpoint.FROM_URL))
                    .extracting(c -> c.status()).containsExactly(503, 503, 202);

            JsonNode redirect = outcome.get(Scenario.REDIRECT);
            assertThat(redirect.get("status").asText()).isEqualTo("failed");
            assertThat(redirect.at("/error/code").asText()).isEqualTo("invalid_request");
            assertThat(redirect.at("/error/retryable").asBoolean()).isFalse();
            assertThat(redirect.at("/error/errors/0/pointer").asText()).isEqualTo("/url");
            assertThat(redirect.at("/error/errors/0/code").asText()).isEqualTo(Scenario.REDIRECT_CODE);

            assertThat(outcome.get(Scenario.NOT_FOUND).get("status").asText()).isEqualTo("failed");
            assertThat(outcome.get(Scenario.NOT_FOUND).at("/error/code").asText()).isEqualTo("vps_not_found");

            // The printer showed each outcome to the person at the terminal.
            for (SendRequest.Request r : sent.values()) {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> printed.stream().anyMatch(l -> l.contains("key=" + r.requestId())));
            }
        } finally {
            sandbox.close();
        }

        assertThat(sandbox.stack().worker().isAlive()).isFalse();
        assertThat(ProcessHandle.of(workerPid).map(ProcessHandle::isAlive).orElse(false)).as("worker process").isFalse();
        assertThat(listening(simulatorPort)).as("simulator port").isFalse();
        assertThat(listening(broker.getPort())).as("broker port").isFalse();
        assertThat(printed).contains("Stopped.");
    }

    /** The NORMAL request goes through the bundled script, as the printed one-liner tells people to. */
    private static SendRequest.Request sendWithScript(Sandbox sandbox) throws Exception {
        Process p = new ProcessBuilder(sandbox.sendScript().toString(), "normal", "sandbox-it.iso")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("send-request finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        JsonNode json = JSON.readTree(out.substring(out.indexOf('{'), out.indexOf('}') + 1));
        assertThat(Scenario.of(json.get("vpsId").asText())).isEqualTo(Scenario.NORMAL);
        return new SendRequest.Request(json.get("requestId").asText(), json.get("vpsId").asText(),
                json.get("url").asText(), json.get("filename").asText());
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
