package dev.hostupiso.worker.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks every setting at start-up, before any topic is created or request read, and refuses to
 * start with one message naming each bad setting by its variable. A value that parses but cannot
 * work (no from-url attempt allowed, an in-flight cap of 0, a hand-over grace the shutdown cuts
 * short) would otherwise show up hours later as requests that never finish.
 */
@ApplicationScoped
public class SettingsCheck {

    private final WorkerConfig worker;
    private final AccountsConfig accounts;
    private final HostUpConfig api;
    private final Optional<Duration> shutdownTimeout;

    public SettingsCheck(WorkerConfig worker, AccountsConfig accounts, HostUpConfig api, Config config) {
        this.worker = worker;
        this.accounts = accounts;
        this.api = api;
        this.shutdownTimeout = config.getOptionalValue("quarkus.shutdown.timeout", Duration.class);
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE - 1) StartupEvent event) {
        List<String> problems = problems(worker, accounts, api, shutdownTimeout);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid settings, refusing to start:\n  " + String.join("\n  ", problems));
        }
    }

    /** Every broken rule, one message each; empty when the settings can work. */
    public static List<String> problems(WorkerConfig w, AccountsConfig a, HostUpConfig h, Optional<Duration> shutdownTimeout) {
        List<String> out = new ArrayList<>();
        intake(w, a, shutdownTimeout, out);
        timing(w, out);
        calls(w, h, out);
        storage(w, a, out);
        return out;
    }

    private static void intake(WorkerConfig w, AccountsConfig a, Optional<Duration> shutdownTimeout, List<String> out) {
        atLeast(w.maxInFlight(), 1, "ISO_MAX_IN_FLIGHT", "no request could ever run", out);
        atLeast(a.maxWaiting(), 0, "HOSTUP_ACCOUNTS_MAX_WAITING", "it counts waiting requests", out);
        notNegative(w.handOverGrace(), "ISO_HAND_OVER_GRACE", out);
        shutdownTimeout.ifPresent(t -> {
            if (w.handOverGrace().compareTo(t) >= 0) {
                out.add("ISO_HAND_OVER_GRACE (" + w.handOverGrace() + ") must be shorter than the shutdown timeout "
                        + "(QUARKUS_SHUTDOWN_TIMEOUT, " + t + "): a hand-over cut short by the shutdown leaves from-url "
                        + "calls nobody recorded");
            }
        });
        positive(w.jobTimeout(), "ISO_JOB_TIMEOUT", out);
    }

    private static void timing(WorkerConfig w, List<String> out) {
        WorkerConfig.Poll p = w.poll();
        positive(p.initialDelay(), "ISO_POLL_INITIAL_DELAY", out);
        if (p.maxDelay().compareTo(p.initialDelay()) < 0) {
            out.add("ISO_POLL_MAX_DELAY (" + p.maxDelay() + ") must be at least ISO_POLL_INITIAL_DELAY (" + p.initialDelay() + ")");
        }
        if (p.progressMaxDelay().compareTo(p.maxDelay()) < 0) {
            out.add("ISO_POLL_PROGRESS_MAX_DELAY (" + p.progressMaxDelay() + ") must be at least ISO_POLL_MAX_DELAY ("
                    + p.maxDelay() + ")");
        }
        positive(w.retryAfterMax(), "ISO_RETRY_AFTER_MAX", out);
        notNegative(w.progress().minInterval(), "ISO_PROGRESS_MIN_INTERVAL", out);
        notNegative(w.submit().ambiguityWindow(), "ISO_SUBMIT_AMBIGUITY_WINDOW", out);
        notNegative(w.forbiddenHold().confirmation(), "ISO_FORBIDDEN_HOLD_CONFIRMATION", out);
    }

    private static void calls(WorkerConfig w, HostUpConfig h, List<String> out) {
        atLeast(w.submit().maxAttempts(), 1, "ISO_SUBMIT_MAX_ATTEMPTS", "no download could ever be submitted", out);
        atLeast(w.resolveAttempts(), 1, "ISO_RESOLVE_ATTEMPTS", "no completed download could be found in the library", out);
        atLeast(w.jobNotFoundRetries(), 0, "ISO_JOB_NOT_FOUND_RETRIES", "it counts retries", out);
        atLeast(w.forbiddenHold().vpss(), 1, "ISO_FORBIDDEN_HOLD_VPSS", "it counts VPSs", out);
        atLeast(w.urlPreflight().maxRedirects(), 0, "ISO_URL_MAX_REDIRECTS", "it counts redirects", out);
        positive(w.urlPreflight().timeout(), "ISO_URL_PREFLIGHT_TIMEOUT", out);
        double burst = w.rateLimit().burst();
        if (!(burst >= 1) || Double.isInfinite(burst)) {
            out.add("ISO_RATE_LIMIT_BURST (" + burst + ") must be a finite number of at least 1");
        }
        positive(h.requestTimeout(), "HOSTUP_API_REQUEST_TIMEOUT", out);
        atLeast(h.maxConnections(), 1, "HOSTUP_API_MAX_CONNECTIONS", "no call could be made", out);
    }

    private static void storage(WorkerConfig w, AccountsConfig a, List<String> out) {
        positive(w.ledger().retention(), "ISO_LEDGER_RETENTION", out);
        positive(w.ledger().sweepInterval(), "ISO_LEDGER_SWEEP_INTERVAL", out);
        atLeast(w.topics().partitions(), 1, "ISO_TOPICS_PARTITIONS", "a topic needs a partition", out);
        w.topics().replicationFactor().ifPresent(rf -> atLeast(rf, 1, "ISO_TOPICS_REPLICATION_FACTOR", "a topic needs a replica", out));
        positive(a.reloadInterval(), "HOSTUP_ACCOUNTS_RELOAD_INTERVAL", out);
    }

    private static void atLeast(int value, int min, String name, String why, List<String> out) {
        if (value < min) {
            out.add(name + " is " + value + " but must be at least " + min + ": " + why);
        }
    }

    private static void positive(Duration d, String name, List<String> out) {
        if (d.isNegative() || d.isZero()) {
            out.add(name + " is " + d + " but must be longer than 0");
        }
    }

    private static void notNegative(Duration d, String name, List<String> out) {
        if (d.isNegative()) {
            out.add(name + " is " + d + " but must not be negative");
        }
    }
}
