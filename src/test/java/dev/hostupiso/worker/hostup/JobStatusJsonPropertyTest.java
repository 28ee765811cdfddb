package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.testsupport.Coverage;
import dev.hostupiso.worker.testsupport.Text;
import dev.hostupiso.worker.wire.JobStatus.State;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.JobStatus;

import static dev.hostupiso.worker.testsupport.Theories.qt;
import static dev.hostupiso.worker.testsupport.Theories.shown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;

/** Job envelopes: the same facts give the same state in either envelope, and what is kept is bounded. */
class JobStatusJsonPropertyTest {

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

    @Test
    void bothEnvelopesGiveTheSameStatusForTheSameFacts() {
        Coverage coverage = new Coverage("bothEnvelopesGiveTheSameStatusForTheSameFacts");
        qt(6_000).forAll(facts()).checkAssert(facts -> {
            coverage.count();
            Optional<JobStatus> generic = JobStatusJson.parse("{\"success\":true,\"requestId\":\"req_1\",\"data\":{" + facts.members() + "}}",
                    MAPPER);
            Optional<JobStatus> v2 = JobStatusJson.parse("{\"operation\":{" + facts.members() + "}}", MAPPER);
            coverage.collect("state", facts.expected());
            assertThat(generic).isPresent();
            assertThat(v2).isPresent();
            assertThat(generic.get().state()).isEqualTo(facts.expected());
            assertThat(v2.get()).isEqualTo(generic.get());
            assertBounded(generic.get());
            if (facts.expected() != State.FAILED) {
                assertThat(generic.get().failureDetail()).isEmpty();
            }
        });
        coverage.print();
        for (State s : State.values()) {
            coverage.requireMoreThan("state", s, 5);
        }
    }

    @Test
    void anyBodyParsesBoundedOrNotAtAll() {
        Coverage coverage = new Coverage("anyBodyParsesBoundedOrNotAtAll");
        qt(3_000).forAll(bodies()).checkAssert(body -> {
            coverage.count();
            JobStatusJson.parse(body, MAPPER).ifPresent(JobStatusJsonPropertyTest::assertBounded);
        });
        coverage.print();
    }

    static void assertBounded(JobStatus s) {
        s.failureDetail().ifPresent(d -> assertThat(d.length()).isLessThanOrEqualTo(Bounds.DETAIL));
        s.jobId().ifPresent(id -> assertThat(id.length()).isLessThanOrEqualTo(Bounds.JOB_ID));
        s.pollUrl().ifPresent(u -> assertThat(u.length()).isLessThanOrEqualTo(Bounds.POLL_URL));
        s.progress().ifPresent(p -> assertThat(p).isBetween(0, 100));
        s.fraction().ifPresent(f -> assertThat(f).isBetween(0.0, 1.0));
    }

    private static Gen<Facts> facts() {
        Gen<String> flag = Generate.pick(Arrays.asList(null, "true", "false", "\"true\"", "1", "null"));
        Gen<String> word = Generate.oneOf(
                Generate.pick(Arrays.asList("failed", "FAILED", "completed", "Completed", "in_progress", "active", "running", "queued", "pending",
                        "failed ", "")).map(s -> HostileText.json(s)),
                Generate.pick(Arrays.asList(null, "null", "1", "{\"status\":\"failed\"}")));
        Gen<String> id = Generate.oneOf(
                Text.alphanumeric().plus("_").ofLength(1, 130).map(s -> HostileText.json(s)),
                HostileText.anyLength().map(s -> HostileText.json(s)),
                Generate.pick(Arrays.asList(null, "null", "42", "{}")));
        Gen<String[]> flags = flag.zip(flag, flag, (a, b, c) -> new String[] {a, b, c});
        Gen<String[]> words = word.zip(word, id, id, (status, state, jobId, pollUrl) -> new String[] {status, state, jobId, pollUrl});
        return shown(flags.zip(words, results(), messages(),
                (f, w, result, message) -> new Facts(f[0], f[1], f[2], w[0], w[1], w[2], w[3], result, message)));
    }

    private static Gen<String> results() {
        Gen<String> text = HostileText.anyLength().map(s -> HostileText.json(s));
        return Generate.oneOf(
                Generate.pick(Arrays.asList(null, "null", "{}", "[]", "42", "{\"error\":{\"x\":1}}")),
                text,
                Generate.pick(Arrays.asList("message", "detail", "error", "other")).zip(text, text,
                        (k, a, b) -> "{\"" + k + "\":" + a + ",\"error\":" + b + "}"),
                integers().between(1, 3000).map(n -> "[" + "{\"k\":\"v\"},".repeat(n) + "1]"));
    }

    private static Gen<String> messages() {
        return Generate.oneOf(Generate.pick(Arrays.asList(null, "null", "{}")), HostileText.anyLength().map(s -> HostileText.json(s)));
    }

    private static Gen<String> bodies() {
        return shown(Generate.oneOf(
                facts().map(f -> "{" + f.members() + "}"),
                facts().map(f -> "{\"data\":{" + f.members() + "},\"operation\":" + f.jobId() + "}"),
                Generate.pick(Arrays.asList("", "null", "[]", "{\"data\":[]}", "{\"operation\":null}", "<html>502</html>", "{\"data\":"
                        + "[".repeat(5000) + "]".repeat(5000) + "}")),
                Text.any().ofMaxLength(60)));
    }
}
