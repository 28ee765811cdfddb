package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.wire.JobStatus;

import java.util.Locale;
import java.util.Optional;

/**
 * A {@link JobStatus} read from either envelope HostUp may answer a poll (or a from-url or mount call) with: the
 * documented generic {@code {"success":…,"data":{state,status,isCompleted,…}}} or the v2
 * {@code {"operation":{status,…}}}. Unknown fields are ignored; the record bounds what it keeps.
 */
public final class JobStatusJson {

    private JobStatusJson() {
    }

    /** Parses a poll (or from-url) body; empty when it is not a job envelope at all. */
    public static Optional<JobStatus> parse(String body, ObjectMapper mapper) {
        JsonNode root = JsonFields.readObject(body, mapper);
        if (root == null) {
            return Optional.empty();
        }
        JsonNode op = root.get("operation");
        if (op != null && op.isObject()) {
            return Optional.of(fromNode(op, op.get("result")));
        }
        JsonNode data = root.get("data");
        if (data != null && data.isObject()) {
            return Optional.of(fromNode(data, data.get("result")));
        }
        if (root.has("status") || root.has("state") || root.has("isCompleted")) {
            return Optional.of(fromNode(root, root.get("result")));
        }
        return Optional.empty();
    }

    private static JobStatus fromNode(JsonNode n, JsonNode result) {
        JobStatus.State state = JobStatus.State.PENDING;
        if (bool(n, "isFailed") || isWord(n, "status", "failed") || isWord(n, "state", "failed")) {
            state = JobStatus.State.FAILED;
        } else if (bool(n, "isCompleted") || isWord(n, "status", "completed") || isWord(n, "state", "completed")) {
            state = JobStatus.State.COMPLETED;
        } else if (bool(n, "isRunning") || isWord(n, "status", "in_progress") || isWord(n, "state", "in_progress")
                || isWord(n, "state", "active") || isWord(n, "status", "running")) {
            state = JobStatus.State.RUNNING;
        }
        Optional<Integer> progress = Optional.empty();
        Optional<JobStatus.Bytes> bytes = Optional.empty();
        JsonNode details = n.get("progressDetails");
        if (details != null && details.isObject()) {
            bytes = bytes(details.get("current"), details.get("total"));
        }
        if (details != null && details.isObject() && percent(details.get("percentage")).isPresent()) {
            progress = percent(details.get("percentage"));
        } else {
            progress = percent(n.get("progress"));
        }
        if (progress.isEmpty() && bytes.isPresent()) {
            progress = Optional.of((int) (100 * bytes.get().done() / bytes.get().total()));
        }
        Optional<String> failure = Optional.empty();
        if (state == JobStatus.State.FAILED) {
            if (result != null && !result.isNull() && !(result.isContainerNode() && result.isEmpty())) {
                failure = Optional.of(describe(result));
            } else if (n.hasNonNull("progressMessage")) {
                failure = Optional.of(n.get("progressMessage").asText());
            }
        }
        return new JobStatus(state, JsonFields.text(n, "jobId"), progress, JsonFields.text(n, "pollUrl"), failure, bytes);
    }

    private static String describe(JsonNode result) {
        if (result.isTextual()) {
            return result.asText();
        }
        for (String f : new String[] {"message", "detail", "error"}) {
            if (result.hasNonNull(f) && result.get(f).isValueNode()) {
                String msg = result.get(f).asText();
                String code = result.hasNonNull("error") && !"error".equals(f) ? result.get("error").asText() + ": " : "";
                return code + msg;
            }
        }
        return result.toString(); // cut by the constructor
    }

    /** A number as a percentage clamped to 0–100 (a huge or negative value is not worth a failure). */
    private static Optional<Integer> percent(JsonNode v) {
        if (v == null || !v.isNumber() || Double.isNaN(v.asDouble())) {
            return Optional.empty();
        }
        return Optional.of((int) Math.max(0, Math.min(100, v.asDouble())));
    }

    /**
     * Bytes done and total when both are whole numbers with {@code 0 <= current <= total}, total
     * positive; a placeholder ({@code 0/0}) or nonsense says nothing about progress.
     */
    private static Optional<JobStatus.Bytes> bytes(JsonNode current, JsonNode total) {
        if (current == null || total == null || !current.canConvertToLong() || !total.canConvertToLong()
                || !current.isIntegralNumber() || !total.isIntegralNumber()) {
            return Optional.empty();
        }
        long c = current.asLong();
        long t = total.asLong();
        return t > 0 && c >= 0 && c <= t ? Optional.of(new JobStatus.Bytes(c, t)) : Optional.empty();
    }

    private static boolean bool(JsonNode n, String f) {
        JsonNode v = n.get(f);
        return v != null && v.isBoolean() && v.asBoolean();
    }

    private static boolean isWord(JsonNode n, String f, String word) {
        JsonNode v = n.get(f);
        return v != null && v.isTextual() && v.asText().toLowerCase(Locale.ROOT).equals(word);
    }
}
