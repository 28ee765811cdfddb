package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.JsonFields;

import java.util.Optional;

/**
 * What a mount answer's body says about the drive used. HostUp documents the mount endpoint but not
 * its answer; unmount answers {@code {"device":"ide2"}}, so {@code device} (or {@code data.device})
 * is read when present and plausible, and anything else is ignored.
 */
final class MountBody {

    private MountBody() {
    }

    /** The drive named in {@code body}; empty when absent, not a string, empty or longer than {@link Bounds#MOUNT_DEVICE}. */
    static Optional<String> device(String body, ObjectMapper mapper) {
        JsonNode root = JsonFields.readObject(body, mapper);
        if (root == null) {
            return Optional.empty();
        }
        JsonNode d = root.has("device") ? root.get("device") : root.path("data").get("device");
        return d != null && d.isTextual() && !d.asText().isEmpty() && d.asText().length() <= Bounds.MOUNT_DEVICE
                ? Optional.of(d.asText()) : Optional.empty();
    }
}
