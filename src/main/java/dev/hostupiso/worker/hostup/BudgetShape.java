package dev.hostupiso.worker.hostup;

/**
 * How an API key's budget comes back, as learned from the answers' {@code X-RateLimit-Reset}: HostUp does not say
 * which window algorithm it uses.
 */
public enum BudgetShape {
    /** Nothing learned yet: treated as {@link #WINDOW}, the shape where calls beyond the budget cost most. */
    UNKNOWN,
    /**
     * The reset held still while the budget went down, and moved by about a whole window: a fixed window. Nothing
     * returns before the reset, and the whole budget at it.
     */
    WINDOW,
    /**
     * The reset moves by small steps: budget returns bit by bit (a sliding window, where each expiring call frees one,
     * or a token bucket refilling steadily). Calls are paced at the learned refill rate, not held until the reset.
     */
    CONTINUOUS
}
