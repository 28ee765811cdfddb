package dev.hostupiso.worker.health;

import dev.hostupiso.worker.ledger.LedgerWriter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness is DOWN while ledger transactions keep failing: no outcome can be published, so the
 * instance must not look healthy, but a restart would not help (liveness stays UP).
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
        return HealthCheckResponse.named("job-ledger-commits").status(writer.isCommitting()).build();
    }
}
