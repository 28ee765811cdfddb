package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.IsoLibrary;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An {@link IsoLibrary} read from {@code GET /api/v2/vps/{id}/iso}'s answer (or one in a {@code data} wrapper);
 * empty when the answer has no {@code available[]} list. Entries without a usable id are left out.
 */
public final class IsoLibraryJson {

    private IsoLibraryJson() {
    }

    public static Optional<IsoLibrary> parse(String body, ObjectMapper mapper) {
        JsonNode root = JsonFields.readObject(body, mapper);
        if (root == null) {
            return Optional.empty();
        }
        JsonNode arr = root.get("available");
        if (arr == null && root.get("data") != null && root.get("data").isObject()) {
            arr = root.get("data").get("available"); // tolerate a data wrapper, should HostUp add one
        }
        if (arr == null || !arr.isArray()) {
            return Optional.empty();
        }
        List<IsoLibrary.Iso> isos = new ArrayList<>();
        for (JsonNode e : arr) {
            JsonNode id = e.get("id");
            if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
                continue;
            }
            String idText = id.asText();
            if (idText.isEmpty() || idText.length() > Bounds.ISO_ID) {
                continue;
            }
            JsonNode name = e.get("name");
            isos.add(new IsoLibrary.Iso(idText, name != null && name.isTextual() ? name.asText() : null));
        }
        return Optional.of(new IsoLibrary(isos, drives(root)));
    }

    /** The {@code mounted[]} entries that are mounted ({@code mounted} not false) and name an ISO; null without a list. */
    private static List<IsoLibrary.Drive> drives(JsonNode root) {
        JsonNode arr = root.get("mounted");
        if (arr == null && root.get("data") != null && root.get("data").isObject()) {
            arr = root.get("data").get("mounted");
        }
        if (arr == null || !arr.isArray()) {
            return null;
        }
        List<IsoLibrary.Drive> drives = new ArrayList<>();
        for (JsonNode e : arr) {
            JsonNode id = e.get("isoId");
            JsonNode on = e.get("mounted");
            if (id == null || !(id.isTextual() || id.isIntegralNumber()) || on != null && on.isBoolean() && !on.booleanValue()) {
                continue;
            }
            JsonNode device = e.get("device");
            // published as mounted.device: a longer one is treated as absent, like an id, never cut
            drives.add(new IsoLibrary.Drive(device != null && device.isTextual() && device.asText().length() <= Bounds.MOUNT_DEVICE
                    ? device.asText() : null, id.asText()));
        }
        return drives;
    }
}
