package dev.hostupiso.worker.health;

import dev.hostupiso.worker.hostup.Account;
import dev.hostupiso.worker.hostup.HostUpAccounts;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness is DOWN while intake is held for the default account's API key (rejected, forbidden,
 * missing scope; the data's {@code reason} says which): the instance takes no new work, and "no
 * instance ready" is the signal an operator should see. A team account's held key never takes the
 * instance out of service (the other teams' requests keep flowing): it shows in the data as
 * {@code account.<name>} = reason, and in {@code heldAccounts}. Liveness stays UP: a restart would
 * not fix a key, and held requests are waiting, not lost.
 */
@Readiness
@ApplicationScoped
public class ApiKeyHealthCheck implements HealthCheck {

    private final HostUpAccounts accounts;

    public ApiKeyHealthCheck(HostUpAccounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public HealthCheckResponse call() {
        var hold = accounts.defaultAccount().keyState().hold();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("hostup-api-key")
                .status(hold.isEmpty())
                .withData("rejected", hold.isPresent());
        hold.ifPresent(r -> b.withData("reason", r.tag()));
        long held = 0;
        for (Account a : accounts.all()) {
            var h = a.keyState().hold();
            if (h.isPresent()) {
                held++;
                b.withData("account." + a.name(), h.get().tag());
            }
        }
        b.withData("heldAccounts", held);
        return b.build();
    }
}
