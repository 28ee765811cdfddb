package dev.hostupiso.worker.timing;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/** Non-blocking waits on Vert.x timers: thousands of waiting jobs cost no thread each. */
@ApplicationScoped
public class Delays {

    private final Vertx vertx;

    public Delays(Vertx vertx) {
        this.vertx = vertx;
    }

    public Uni<Void> after(Duration delay) {
        long ms = delay.toMillis();
        if (ms <= 0) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().emitter(emitter -> {
            long timer = vertx.setTimer(ms, id -> emitter.complete(null));
            emitter.onTermination(() -> vertx.cancelTimer(timer));
        });
    }
}
