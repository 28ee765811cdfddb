package dev.hostupiso.worker.preflight;

import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.util.List;

/** The JDK's resolver (the system's DNS); its lookup blocks, so it runs on the worker pool, never an event loop. */
@DefaultBean
@ApplicationScoped
public class SystemResolver implements Resolver {

    @Override
    public Uni<List<InetAddress>> resolve(String host) {
        return Uni.createFrom().item(() -> {
            try {
                return List.of(InetAddress.getAllByName(host));
            } catch (java.net.UnknownHostException e) {
                throw new UncheckedUnknownHost(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure(UncheckedUnknownHost.class).transform(Throwable::getCause);
    }

    private static final class UncheckedUnknownHost extends RuntimeException {
        UncheckedUnknownHost(java.net.UnknownHostException cause) {
            super(cause);
        }
    }
}
