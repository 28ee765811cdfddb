package dev.hostupiso.worker.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The size limits of every text the worker stores in the job ledger, publishes in an outcome event
 * or writes to a log line, and the one place that enforces them. A ledger record holds a request and
 * its outcome together and must stay far below the producer's {@code max.request.size} (1 MB by
 * default): one oversized value would stall the worker.
 *
 * <p>Limits count UTF-16 code units ({@link String#length()}). Prose (titles, details, request
 * values echoed back as invalid) is cut with a trailing {@value #MARKER}, which is part of the limit;
 * identifiers HostUp hands out (job ids, poll URLs, ISO ids) are never cut, since a cut id names
 * something else: an over-long one is treated as absent.
 */
public final class Bounds {

    /** Ends every cut text. No request field accepts it, so a cut echo never looks valid. */
    public static final String MARKER = "…";

    // Request fields echoed back in the failed outcome of an invalid request: the contract's maxima.
    public static final int REQUEST_ID = 128;
    public static final int VPS_ID = 128;
    public static final int URL = 2048;
    public static final int FILENAME = 255;
    public static final int DECOMPRESS = 16;

    // What HostUp says, and the worker's own error texts.
    public static final int CODE = 64;
    public static final int TITLE = 200;
    /** {@code detail} of an error, including a failed job's own message. */
    public static final int DETAIL = 1000;
    /** {@code errors[]} entries kept; when more came, the last kept entry says how many were dropped. */
    public static final int ERRORS = 20;
    public static final int ERROR_POINTER = 128;
    public static final int ERROR_DETAIL = 300;
    public static final int ERROR_CODE = CODE;
    public static final int UPSTREAM_REQUEST_ID = 128;

    // Identifiers from HostUp: kept whole or not at all.
    public static final int JOB_ID = 128;
    public static final int POLL_URL = 2048;
    public static final int ISO_ID = 128;

    // Newer request and outcome values.
    /** A request's {@code account} name. */
    public static final int ACCOUNT = 32;
    /** A mount's {@code device} (e.g. ide2). */
    public static final int MOUNT_DEVICE = 16;
    /** The URL submitted after the preflight followed redirects (as long as a request URL may be). */
    public static final int RESOLVED_URL = URL;
    /** Why the preflight was skipped or refused. */
    public static final int PREFLIGHT_REASON = 300;

    /**
     * Upper bound of an outcome event's value, serialized (UTF-8 JSON): every field at its limit in the
     * character whose JSON form is longest (a control character, six bytes), numbers and instants at
     * their longest. Checked against the real records by {@code LedgerRecordSizeProperties}.
     */
    public static final int MAX_OUTCOME_EVENT_BYTES = 95_000;
    /** Upper bound of a job-ledger record's value (a request, its state and its outcome), as above. */
    public static final int MAX_LEDGER_ENTRY_BYTES = 125_000;

    /** Code of the {@code errors[]} entry that stands for the entries dropped. */
    public static final String ERRORS_TRUNCATED = "errors_truncated";

    private Bounds() {
    }

    /**
     * {@code s} if it has at most {@code max} chars, else its first chars and {@link #MARKER}, {@code max}
     * chars in all (a surrogate pair is never split). Idempotent; null stays null.
     */
    public static String truncate(String s, int max) {
        if (max < 2) {
            throw new IllegalArgumentException("max must leave room for the marker: " + max);
        }
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = max - MARKER.length();
        if (Character.isHighSurrogate(s.charAt(end - 1)) && Character.isLowSurrogate(s.charAt(end))) {
            end--;
        }
        return s.substring(0, end) + MARKER;
    }

    /** An identifier kept whole, or empty when absent (null too) or longer than {@code max}. */
    public static Optional<String> identifier(Optional<String> id, int max) {
        return id == null ? Optional.empty() : id.filter(s -> s.length() <= max);
    }

    /**
     * At most {@link #ERRORS} entries: when more came, the first {@code ERRORS - 1} and one entry
     * (pointer {@code ""}, the whole document; code {@value #ERRORS_TRUNCATED}) saying how many were
     * dropped. Idempotent; null becomes empty.
     */
    public static List<FieldError> fieldErrors(List<FieldError> errors) {
        if (errors == null || errors.isEmpty()) {
            return List.of();
        }
        if (errors.size() <= ERRORS) {
            return List.copyOf(errors);
        }
        List<FieldError> kept = new ArrayList<>(errors.subList(0, ERRORS - 1));
        int dropped = errors.size() - kept.size();
        kept.add(new FieldError("", dropped + " more errors not shown", ERRORS_TRUNCATED));
        return List.copyOf(kept);
    }
}
