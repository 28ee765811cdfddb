package dev.hostupiso.worker.health;

import dev.hostupiso.worker.ledger.LedgerWriter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness is DOWN once the ledger's transactional producer failed fatally (fenced, or not
 * authorized): no outcome can be published any more, and a restart (a fresh producer) is the fix.
 */
@Liveness
@ApplicationScoped
public class LedgerHealthCheck implements HealthCheck {

    private final LedgerWriter writer;

    public LedgerHealthCheck(LedgerWriter writer) {
        this.writer = writer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("job-ledger").status(!writer.isBroken()).build();
    }
}
