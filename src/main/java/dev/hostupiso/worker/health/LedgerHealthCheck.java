package dev.hostupiso.worker.health;

import dev.hostupiso.worker.ledger.LedgerWriter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness is DOWN only when a ledger producer call hangs far past Kafka's own timeouts: a wedged
 * client, which a restart fixes. A broker outage or a record Kafka refuses is not a reason: a
 * restart would meet the same outage or record again (a crash loop); readiness reports those.
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
        return HealthCheckResponse.named("job-ledger").status(!writer.isWedged()).build();
    }
}
