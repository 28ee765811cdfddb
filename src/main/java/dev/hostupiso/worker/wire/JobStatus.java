package dev.hostupiso.worker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Locale;
import java.util.Optional;

/**
 * A job's state as read from either envelope HostUp may answer a poll with: the documented generic
 * {@code {"success":…,"data":{state,status,isCompleted,…}}} or the v2 {@code {"operation":{status,…}}}.
 * Unknown fields are ignored. Bounded on construction: the failure detail is cut to
 * {@link Bounds#DETAIL}; a job id or poll URL longer than {@link Bounds#JOB_ID} / {@link Bounds#POLL_URL}
 * is treated as absent (a cut identifier would name another job).
 *
 * @param progress      percentage 0–100 when reported
 * @param failureDetail what the job said about its failure ({@code result} as text), if failed
 * @param bytes         bytes done of bytes total ({@code progressDetails.current}/{@code total}) when both
 *                      are reported and make sense
 */
public record JobStatus(State state, Optional<String> jobId, Optional<Integer> progress,
                        Optional<String> pollUrl, Optional<String> failureDetail, Optional<Bytes> bytes) {

    /** Download progress in bytes: {@code 0 <= done <= total}, {@code total > 0}. */
    public record Bytes(long done, long total) {
        public Bytes {
            if (total <= 0 || done < 0 || done > total) {
                throw new IllegalArgumentException("bytes " + done + " of " + total);
            }
        }
    }

    public JobStatus(State state, Optional<String> jobId, Optional<Integer> progress, Optional<String> pollUrl,
                     Optional<String> failureDetail) {
        this(state, jobId, progress, pollUrl, failureDetail, Optional.empty());
    }

    /**
     * How far the download is, 0–1: from bytes when reported (finer than a whole percentage), else
     * from the percentage; empty when the job says nothing about its progress.
     */
    public Optional<Double> fraction() {
        if (bytes.isPresent()) {
            return Optional.of((double) bytes.get().done() / bytes.get().total());
        }
        return progress.map(p -> p / 100.0);
    }

    public JobStatus {
        jobId = Bounds.identifier(jobId, Bounds.JOB_ID);
        pollUrl = Bounds.identifier(pollUrl, Bounds.POLL_URL);
        progress = progress == null ? Optional.empty() : progress;
        failureDetail = failureDetail == null ? Optional.empty() : failureDetail.map(d -> Bounds.truncate(d, Bounds.DETAIL));
        bytes = bytes == null ? Optional.empty() : bytes;
    }

    public enum State { PENDING, RUNNING, COMPLETED, FAILED }

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
        State state = State.PENDING;
        if (bool(n, "isFailed") || isWord(n, "status", "failed") || isWord(n, "state", "failed")) {
            state = State.FAILED;
        } else if (bool(n, "isCompleted") || isWord(n, "status", "completed") || isWord(n, "state", "completed")) {
            state = State.COMPLETED;
        } else if (bool(n, "isRunning") || isWord(n, "status", "in_progress") || isWord(n, "state", "in_progress")
                || isWord(n, "state", "active") || isWord(n, "status", "running")) {
            state = State.RUNNING;
        }
        Optional<Integer> progress = Optional.empty();
        Optional<Bytes> bytes = Optional.empty();
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
        if (state == State.FAILED) {
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
    private static Optional<Bytes> bytes(JsonNode current, JsonNode total) {
        if (current == null || total == null || !current.canConvertToLong() || !total.canConvertToLong()
                || !current.isIntegralNumber() || !total.isIntegralNumber()) {
            return Optional.empty();
        }
        long c = current.asLong();
        long t = total.asLong();
        return t > 0 && c >= 0 && c <= t ? Optional.of(new Bytes(c, t)) : Optional.empty();
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
