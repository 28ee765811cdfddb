package dev.hostupiso.worker.hostup;

/**
 * This instance's share of an API key's budget, in (0, 1]: every instance of the consumer group spends at most its
 * share of what the server reports as remaining, so instances sharing a key need no coordination server. The shares
 * of all instances should add up to at most 1.
 */
@FunctionalInterface
public interface ShareSource {

    /** The smallest share ever used: an instance always keeps a trickle of calls to learn the budget from. */
    double MIN_SHARE = 0.01;

    /** One instance alone with the key. */
    ShareSource WHOLE = () -> 1.0;

    /** The current share; values outside (0, 1] or NaN are clamped by the caller. */
    double share();

    /** {@link #share()} within [{@link #MIN_SHARE}, 1]; NaN counts as the whole key. */
    static double clamp(double share) {
        if (Double.isNaN(share) || share >= 1) {
            return 1;
        }
        return Math.max(MIN_SHARE, share);
    }
}
