package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.Mounted;

/**
 * What the mount step knows: written only by {@link MountStep} (and restored when a job is
 * resumed), each change a new value.
 *
 * @param mounted the mount made, once made
 * @param pollUrl where HostUp's mount job (a 202 answer to the mount call) is polled; null when none is known
 */
public record Mounting(Mounted mounted, String pollUrl) {

    static final Mounting NONE = new Mounting(null, null);

    Mounting withMounted(Mounted mounted) {
        return new Mounting(mounted, pollUrl);
    }

    Mounting withPollUrl(String pollUrl) {
        return new Mounting(mounted, pollUrl);
    }
}
