package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.hostup.JobStatus.State;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Job envelopes: the same facts give the same state in either envelope, and what is kept is bounded. */
class JobStatusProperties {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One job's facts as JSON members; rendered into either envelope. */
    record Facts(String isFailed, String isCompleted, String isRunning, String status, String state, String jobId,
                 String pollUrl, String result, String progressMessage) {

        String members() {
            List<String> m = new ArrayList<>();
            add(m, "isFailed", isFailed);
            add(m, "isCompleted", isCompleted);
            add(m, "isRunning", isRunning);
            add(m, "status", status);
            add(m, "state", state);
            add(m, "jobId", jobId);
            add(m, "pollUrl", pollUrl);
            add(m, "result", result);
            add(m, "progressMessage", progressMessage);
            return String.join(",", m);
        }

        private static void add(List<String> m, String name, String value) {
            if (value != null) {
                m.add("\"" + name + "\":" + value);
            }
        }

        /** The documented precedence: failed over completed over running; a word counts in any case. */
        State expected() {
            if ("true".equals(isFailed) || word(status, "failed") || word(state, "failed")) {
                return State.FAILED;
            }
            if ("true".equals(isCompleted) || word(status, "completed") || word(state, "completed")) {
                return State.COMPLETED;
            }
            if ("true".equals(isRunning) || word(status, "in_progress") || word(state, "in_progress") || word(state, "active")
                    || word(status, "running")) {
                return State.RUNNING;
            }
            return State.PENDING;
        }

        private static boolean word(String json, String w) {
            return json != null && json.startsWith("\"") && json.toLowerCase(Locale.ROOT).equals("\"" + w + "\"");
        }
    }

    @Property(tries = 6_000)
    void bothEnvelopesGiveTheSameStatusForTheSameFacts(@ForAll("facts") Facts facts) {
        Optional<JobStatus> generic = JobStatus.parse("{\"success\":true,\"requestId\":\"req_1\",\"data\":{" + facts.members() + "}}", MAPPER);
        Optional<JobStatus> v2 = JobStatus.parse("{\"operation\":{" + facts.members() + "}}", MAPPER);
        Statistics.label("state").collect(facts.expected());
        Statistics.label("state").coverage(c -> {
            for (State s : State.values()) {
                c.check(s).percentage(p -> p > 5);
            }
        });
        assertThat(generic).isPresent();
        assertThat(v2).isPresent();
        assertThat(generic.get().state()).isEqualTo(facts.expected());
        assertThat(v2.get()).isEqualTo(generic.get());
        assertBounded(generic.get());
        if (facts.expected() != State.FAILED) {
            assertThat(generic.get().failureDetail()).isEmpty();
        }
    }

    @Property(tries = 3_000)
    void anyBodyParsesBoundedOrNotAtAll(@ForAll("bodies") String body) {
        JobStatus.parse(body, MAPPER).ifPresent(JobStatusProperties::assertBounded);
    }

    static void assertBounded(JobStatus s) {
        s.failureDetail().ifPresent(d -> assertThat(d.length()).isLessThanOrEqualTo(Bounds.DETAIL));
        s.jobId().ifPresent(id -> assertThat(id.length()).isLessThanOrEqualTo(Bounds.JOB_ID));
        s.pollUrl().ifPresent(u -> assertThat(u.length()).isLessThanOrEqualTo(Bounds.POLL_URL));
        s.progress().ifPresent(p -> assertThat(p).isBetween(0, 100));
        s.fraction().ifPresent(f -> assertThat(f).isBetween(0.0, 1.0));
    }

    @Provide
    Arbitrary<Facts> facts() {
        Arbitrary<String> flag = Arbitraries.of(null, "true", "false", "\"true\"", "1", "null");
        Arbitrary<String> word = Arbitraries.oneOf(
                Arbitraries.of("failed", "FAILED", "completed", "Completed", "in_progress", "active", "running", "queued", "pending",
                        "failed ", "").map(HostileText::json),
                Arbitraries.of(null, "null", "1", "{\"status\":\"failed\"}"));
        Arbitrary<String> id = Arbitraries.oneOf(
                Arbitraries.strings().alpha().numeric().withChars("_").ofMinLength(1).ofMaxLength(130).map(HostileText::json),
                HostileText.anyLength().map(HostileText::json),
                Arbitraries.of(null, "null", "42", "{}"));
        Arbitrary<String[]> flags = Combinators.combine(flag, flag, flag).as((a, b, c) -> new String[] {a, b, c});
        return Combinators.combine(flags, word, word, id, id, results(), messages())
                .as((f, status, state, jobId, pollUrl, result, message) ->
                        new Facts(f[0], f[1], f[2], status, state, jobId, pollUrl, result, message));
    }

    private static Arbitrary<String> results() {
        Arbitrary<String> text = HostileText.anyLength().map(HostileText::json);
        return Arbitraries.oneOf(
                Arbitraries.of(null, "null", "{}", "[]", "42", "{\"error\":{\"x\":1}}"),
                text,
                Combinators.combine(Arbitraries.of("message", "detail", "error", "other"), text, text)
                        .as((k, a, b) -> "{\"" + k + "\":" + a + ",\"error\":" + b + "}"),
                Arbitraries.integers().between(1, 3000).map(n -> "[" + "{\"k\":\"v\"},".repeat(n) + "1]"));
    }

    private static Arbitrary<String> messages() {
        return Arbitraries.oneOf(Arbitraries.of(null, "null", "{}"), HostileText.anyLength().map(HostileText::json));
    }

    @Provide
    Arbitrary<String> bodies() {
        return Arbitraries.oneOf(
                facts().map(f -> "{" + f.members() + "}"),
                facts().map(f -> "{\"data\":{" + f.members() + "},\"operation\":" + f.jobId() + "}"),
                Arbitraries.of("", "null", "[]", "{\"data\":[]}", "{\"operation\":null}", "<html>502</html>", "{\"data\":"
                        + "[".repeat(5000) + "]".repeat(5000) + "}"),
                Arbitraries.strings().all().ofMaxLength(60));
    }
}
