package dev.hostupiso.worker.job;

/**
 * The account whose API key a job spends, as the core sees it: a name. What it holds besides (the
 * key, its rate limiter, its state) belongs to the HostUp adapter, which gives it out through
 * {@link HostUpPort#account} and reads it back on every call.
 */
public interface JobAccount {

    /** The account's name: {@code default} or a team's. */
    String name();
}
