package dev.hostupiso.worker.health;

import dev.hostupiso.worker.ledger.LedgerWriter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness is DOWN while ledger transactions keep failing, or while the consumer holds a request
 * partition whose ledger writer has ended (its records wait for a rebalance): no outcome can be
 * published there, so the instance must not look healthy, but a restart would not help (liveness
 * stays UP).
 */
@Readiness
@ApplicationScoped
public class LedgerCommitHealthCheck implements HealthCheck {

    private final LedgerWriter writer;

    public LedgerCommitHealthCheck(LedgerWriter writer) {
        this.writer = writer;
    }

    @Override
    public HealthCheckResponse call() {
        var orphaned = writer.orphaned();
        return HealthCheckResponse.named("job-ledger-commits").status(writer.isCommitting() && orphaned.isEmpty())
                .withData("orphaned-partitions", orphaned.toString()).build();
    }
}
