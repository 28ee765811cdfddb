package dev.hostupiso.worker.health;

import dev.hostupiso.worker.hostup.ApiKeyState;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness is DOWN while intake is held for the API key (rejected, forbidden, missing scope; the
 * data's {@code reason} says which): the instance takes no new work, and "no instance ready" is the
 * signal an operator should see. Liveness stays UP: a restart would not fix the key, and in-flight
 * requests are held, not lost.
 */
@Readiness
@ApplicationScoped
public class ApiKeyHealthCheck implements HealthCheck {

    private final ApiKeyState keyState;

    public ApiKeyHealthCheck(ApiKeyState keyState) {
        this.keyState = keyState;
    }

    @Override
    public HealthCheckResponse call() {
        var hold = keyState.hold();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("hostup-api-key")
                .status(hold.isEmpty())
                .withData("rejected", hold.isPresent());
        hold.ifPresent(r -> b.withData("reason", r.tag()));
        return b.build();
    }
}
