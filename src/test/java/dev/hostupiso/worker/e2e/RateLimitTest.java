package dev.hostupiso.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.simulator.RecordedCall;
import dev.hostupiso.worker.simulator.RetryAfterStyle;
import dev.hostupiso.worker.simulator.ScriptedResponse;
import dev.hostupiso.worker.testsupport.WorkerTestEnvironment;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** 429s and rate-limit headers: waits really happen, and they hold the whole worker. */
@QuarkusTest
@WithTestResource(WorkerTestEnvironment.class)
class RateLimitTest extends EndToEndSupport {

    private static List<RecordedCall> calls(String vps, Endpoint endpoint) {
        return sim().calls().stream().filter(c -> vps.equals(c.vpsId()) && c.endpoint() == endpoint).toList();
    }

    @Test
    void retryAfterSecondsOnFromUrlPausesEveryCallOfTheWorker() throws Exception {
        String limited = vps();
        String bystander = vps();
        sim().vps(limited).enqueue(Endpoint.FROM_URL, ScriptedResponse.rateLimited("2"));
        sim().vps(bystander);
        String rid = uid("ra-sec");
        send(request(rid, limited, "x.iso"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !calls(limited, Endpoint.FROM_URL).isEmpty());
        Instant refusedAt = calls(limited, Endpoint.FROM_URL).get(0).at();
        String other = uid("bystander");
        send(request(other, bystander, "y.iso"));

        assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
        assertThat(awaitOutcome(other).get("status").asText()).isEqualTo("completed");
        List<RecordedCall> fromUrl = calls(limited, Endpoint.FROM_URL);
        assertThat(fromUrl).hasSize(2);
        assertThat(fromUrl.get(0).status()).isEqualTo(429);
        assertThat(Duration.between(refusedAt, fromUrl.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        // The other request arrived during the pause: the shared limiter held its first call too.
        Instant bystanderFirst = calls(bystander, Endpoint.FROM_URL).get(0).at();
        assertThat(Duration.between(refusedAt, bystanderFirst)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    void retryAfterHttpDateOnAPollIsHonoured() {
        String vps = vps();
        Instant until = Instant.now().plusSeconds(5);
        sim().vps(vps).enqueue(Endpoint.JOB, ScriptedResponse.rateLimitedUntil(until));
        String rid = uid("ra-date");
        send(request(rid, vps, "x.iso"));
        assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
        List<RecordedCall> polls = calls(vps, Endpoint.JOB);
        assertThat(polls.get(0).status()).isEqualTo(429);
        // The HTTP-date has one-second resolution: the retry comes no earlier than its whole second.
        Instant notBefore = until.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minusMillis(100);
        assertThat(polls.get(1).at()).isAfterOrEqualTo(notBefore);
        // ...and the date was far enough ahead for that to be a real wait, not the normal poll backoff (≤ 400 ms).
        assertThat(Duration.between(polls.get(0).at(), polls.get(1).at())).isGreaterThan(Duration.ofSeconds(1));
    }

    @Test
    void legacy429BodyWithoutHeaderIsHonoured() {
        String vps = vps();
        sim().vps(vps).enqueue(Endpoint.ISO_LIST, ScriptedResponse.legacyRateLimited(2));
        String rid = uid("ra-legacy");
        send(request(rid, vps, "x.iso"));
        assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
        List<RecordedCall> reads = calls(vps, Endpoint.ISO_LIST);
        assertThat(reads.get(0).status()).isEqualTo(429);
        assertThat(Duration.between(reads.get(0).at(), reads.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    void garbageRetryAfterFallsBackToBackoff() {
        String vps = vps();
        sim().vps(vps).enqueue(Endpoint.FROM_URL, ScriptedResponse.rateLimited("soon-ish"))
                .enqueue(Endpoint.FROM_URL, ScriptedResponse.rateLimited("0"));
        String rid = uid("ra-garbage");
        send(request(rid, vps, "x.iso"));
        JsonNode event = awaitOutcome(rid);
        assertThat(event.get("status").asText()).isEqualTo("completed");
        assertThat(event.get("attempts").asInt()).isEqualTo(3);
    }

    @Test
    void rateLimitHeadersPaceCallsSoTheBudgetIsNotOverrun() {
        List<String> ids = new ArrayList<>();
        sim().rateLimit(12, Duration.ofSeconds(2), RetryAfterStyle.SECONDS);
        try {
            for (int i = 0; i < 8; i++) {
                String vps = vps();
                sim().vps(vps);
                String rid = uid("paced");
                ids.add(rid);
                send(request(rid, vps, "p" + i + ".iso"));
            }
            for (String rid : ids) {
                assertThat(awaitOutcome(rid).get("status").asText()).isEqualTo("completed");
            }
        } finally {
            sim().rateLimit(0, Duration.ofSeconds(1), RetryAfterStyle.SECONDS);
        }
        long total = sim().calls().stream().filter(c -> c.at().isAfter(Instant.now().minusSeconds(60))).count();
        long refused = sim().calls().stream().filter(c -> c.status() == 429 && c.at().isAfter(Instant.now().minusSeconds(60))).count();
        // 8 requests need at least 24 calls at 12 per 2 s; pacing keeps refusals rare.
        assertThat(total).isGreaterThanOrEqualTo(24);
        assertThat(refused).isLessThanOrEqualTo(total / 10);
    }
}
