package dev.hostupiso.worker.health;

import dev.hostupiso.worker.hostup.ApiKeyState;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness is DOWN while HostUp rejects the API key: the instance takes no new work, and
 * "no instance ready" is the signal an operator should see. Liveness stays UP: a restart would not
 * fix a revoked key, and in-flight requests are held, not lost.
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
        return HealthCheckResponse.named("hostup-api-key")
                .status(!keyState.isRejected())
                .withData("rejected", keyState.isRejected())
                .build();
    }
}
