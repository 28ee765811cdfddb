package dev.hostupiso.worker.dispatch;

import dev.hostupiso.worker.config.WorkerConfig;
import dev.hostupiso.worker.hostup.ShareSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * This instance's share of the API key's budget: the request partitions it owns ÷ the request topic's partitions.
 * The consumer group already divides the work that way, so the shares of all instances add up to at most 1 without
 * any other coordination (during a rebalance less: revoked partitions are dropped before new ones are assigned).
 * Before the first assignment, or with {@code iso.rate-limit.share=whole}, the share is 1.
 */
@ApplicationScoped
public class AssignmentShare implements ShareSource {

    private final boolean whole;
    private volatile double share = 1;

    @Inject
    public AssignmentShare(WorkerConfig config) {
        this(parseWhole(config.rateLimit().share()));
    }

    AssignmentShare(boolean whole) {
        this.whole = whole;
    }

    private static boolean parseWhole(String mode) {
        switch (mode.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "whole":
                return true;
            case "partitions":
                return false;
            default:
                throw new IllegalArgumentException("iso.rate-limit.share must be partitions or whole, got " + mode);
        }
    }

    /** The consumer owns {@code owned} of the request topic's {@code total} partitions. */
    public void assignment(int owned, int total) {
        share = of(owned, total);
    }

    /** {@code owned / total}, within [{@link ShareSource#MIN_SHARE}, 1]; 1 when the total is not known. */
    static double of(int owned, int total) {
        if (total <= 0 || owned >= total) {
            return 1;
        }
        return ShareSource.clamp(owned / (double) total);
    }

    @Override
    public double share() {
        return whole ? 1 : share;
    }
}
