package dev.hostupiso.worker.simulator;

import java.util.Locale;

/**
 * How the simulator counts a key's calls against its limit. HostUp publishes neither numbers nor algorithm, and its
 * {@code X-RateLimit-*} headers fit all three, so a worker must behave well against each.
 */
public enum RateWindowModel {
    /**
     * A window opens at the key's first call and lasts the window length; at its end the whole budget returns.
     * {@code Remaining} = calls left in the window, {@code Reset} = the window's end. Every call counts, refused ones too.
     */
    FIXED,
    /**
     * A sliding log: a call counts for exactly one window length after it was accepted. {@code Remaining} = limit minus
     * the calls of the last window, {@code Reset} = when the oldest counted call expires, and only that one call
     * frees up then. Refused calls do not count.
     */
    SLIDING,
    /**
     * A token bucket holding at most {@code limit} tokens, refilled continuously at {@code limit} per window length
     * and full at the start. {@code Remaining} = whole tokens left, {@code Reset} = when the bucket is full again
     * (now, when it is full); a 429's {@code Retry-After} = when the next token arrives. Refused calls take no token.
     */
    TOKEN_BUCKET;

    /** {@code fixed}, {@code sliding}, {@code token-bucket} (or the constant's name), any case. */
    public static RateWindowModel parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
