package dev.hostupiso.worker.ledger;

import dev.hostupiso.worker.config.WorkerConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Periodically tombstones finished ledger entries past the retention, so the compacted topic stays small. */
@ApplicationScoped
public class LedgerSweeper {

    private static final Logger LOG = Logger.getLogger(LedgerSweeper.class);

    private final WorkerConfig config;
    private final JournalAndOutcomePublisher ledger;
    private final Vertx vertx;

    public LedgerSweeper(WorkerConfig config, JournalAndOutcomePublisher ledger, Vertx vertx) {
        this.config = config;
        this.ledger = ledger;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        long every = config.ledger().sweepInterval().toMillis();
        // A periodic timer dies with Vert.x at shutdown; a sweep write after hand-over fails harmlessly.
        vertx.setPeriodic(every, every, id -> ledger.sweep().subscribe().with(
                n -> {
                    if (n > 0) {
                        LOG.infof("ledger: %d finished entries past the %s retention tombstoned", n, config.ledger().retention());
                    }
                }, f -> LOG.warnf("ledger sweep failed: %s", f.getMessage())));
    }
}
