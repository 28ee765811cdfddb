package dev.hostupiso.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.hostupiso.worker.metrics.WorkerMetrics.ACCOUNT_KEY_KEPT;
import static dev.hostupiso.worker.metrics.WorkerMetrics.API_KEY_HOLD;
import static dev.hostupiso.worker.metrics.WorkerMetrics.JOBS_AWAITING_ACCOUNT;

/**
 * The meters of accounts and their API keys, under the names {@link WorkerMetrics} owns: key holds by
 * account and reason, key files kept, resumed jobs waiting for an account's key. Accounts are the
 * configured ones or key file names that passed the account-name check (bounded), never request text.
 */
final class AccountMeters {

    private static final List<String> HOLD_REASONS = List.of("unauthorized", "forbidden", "missing_scope");

    private final MeterRegistry registry;
    private final Map<String, AtomicReference<String>> apiKeyHolds = new ConcurrentHashMap<>();
    private final AtomicInteger jobsAwaitingAccount = new AtomicInteger();
    private volatile boolean awaitingBound;

    AccountMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * The reason {@code account}'s requests are held for its API key ({@code unauthorized},
     * {@code forbidden}, {@code missing_scope}); null when they are not. The first call for an
     * account registers one series per reason.
     */
    void apiKeyHold(String account, String reason) {
        var hold = apiKeyHolds.computeIfAbsent(account, a -> {
            var ref = new AtomicReference<String>();
            for (String r : HOLD_REASONS) {
                Gauge.builder(API_KEY_HOLD, ref, h -> r.equals(h.get()) ? 1 : 0).tag("account", a).tag("reason", r)
                        .description("1 while an account's requests are held because of its API key, by reason").register(registry);
            }
            return ref;
        });
        hold.set(reason);
    }

    /** A reload of the key directory kept {@code account}'s last good key: its file read {@code reason} ({@code empty}, {@code unreadable}, {@code not_utf8}). */
    void accountKeyKept(String account, String reason) {
        Counter.builder(ACCOUNT_KEY_KEPT).description("Key directory reads that kept an account's last good key, by reason")
                .tag("account", account).tag("reason", reason).register(registry).increment();
    }

    void jobsAwaitingAccount(int delta) {
        if (!awaitingBound) {
            synchronized (this) {
                Gauge.builder(JOBS_AWAITING_ACCOUNT, jobsAwaitingAccount::get)
                        .description("Resumed jobs waiting for an account whose key this instance does not hold").register(registry);
                awaitingBound = true;
            }
        }
        jobsAwaitingAccount.addAndGet(delta);
    }
}
