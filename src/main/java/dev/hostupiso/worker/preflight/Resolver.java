package dev.hostupiso.worker.preflight;

import io.smallrye.mutiny.Uni;

import java.net.InetAddress;
import java.util.List;

/**
 * Turns a host name into addresses for the URL preflight. The preflight resolves names itself and
 * connects to the very address its guard checked, so a name that answers differently a moment
 * later (DNS rebinding) cannot slip past the guard. Tests replace it with a stub, so no name is
 * ever looked up outside the machine.
 */
public interface Resolver {

    /** The addresses of {@code host} (a name, never an IP literal); fails with {@link java.net.UnknownHostException} when there are none. */
    Uni<List<InetAddress>> resolve(String host);
}
