package dev.hostupiso.worker.dispatch;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

/**
 * SIGTERM: intake stops, from-url calls already sent get the hand-over grace to be answered and
 * recorded (so a rollout does not leave "was it queued?" behind for the next owner), then every
 * job stops. Their state is in the ledger; the partitions' next owners resume them.
 */
@ApplicationScoped
public class WorkerShutdown {

    private static final Logger LOG = Logger.getLogger(WorkerShutdown.class);

    private final IntakeGate gate;
    private final InFlightRequests inFlight;
    private final JobDispatcher dispatcher;

    public WorkerShutdown(IntakeGate gate, InFlightRequests inFlight, JobDispatcher dispatcher) {
        this.gate = gate;
        this.inFlight = inFlight;
        this.dispatcher = dispatcher;
    }

    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        int jobs = inFlight.size();
        gate.closeForShutdown();
        dispatcher.handOverAll();
        LOG.infof("shutting down: intake stopped, %d job(s) handed over via the ledger", jobs);
    }
}
