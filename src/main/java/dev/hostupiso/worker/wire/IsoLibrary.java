package dev.hostupiso.worker.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts of {@code GET /api/v2/vps/{id}/iso} the worker needs: the available images and, when the
 * answer has them, the mounted ones ({@code mounted[]}: {@code device}, {@code isoId},
 * {@code mounted}; null when the answer has no such list, so "nothing mounted" and "not told" differ).
 * An available entry
 * without a usable id (absent, not a string or number, empty, or longer than {@link Bounds#ISO_ID}:
 * the id is published as {@code isoId}, and a cut id would name another image) is left out.
 */
public record IsoLibrary(List<Iso> available, List<Drive> mounted) {

    /** One {@code available[]} entry; {@code name} is null when absent or not a string. */
    public record Iso(String id, String name) {
    }

    /** One {@code mounted[]} entry: an ISO in a drive ({@code device} null when not a string). */
    public record Drive(String device, String isoId) {
    }

    public IsoLibrary {
        available = available == null ? List.of() : List.copyOf(available);
        mounted = mounted == null ? null : List.copyOf(mounted);
    }

    public IsoLibrary(List<Iso> available) {
        this(available, null);
    }

    /**
     * Whether the answer lists {@code isoId} as mounted (on {@code device}, when one is given); empty
     * when the answer has no {@code mounted[]} list at all, so it cannot tell.
     */
    public Optional<Drive> mountOf(String isoId, String device) {
        if (mounted == null) {
            return Optional.empty();
        }
        return mounted.stream().filter(d -> isoId.equals(d.isoId()) && (device == null || device.equals(d.device())))
                .findFirst();
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
        List<Iso> isos = new ArrayList<>();
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
            isos.add(new Iso(idText, name != null && name.isTextual() ? name.asText() : null));
        }
        return Optional.of(new IsoLibrary(isos, drives(root)));
    }

    /** The {@code mounted[]} entries that are mounted ({@code mounted} not false) and name an ISO; null without a list. */
    private static List<Drive> drives(JsonNode root) {
        JsonNode arr = root.get("mounted");
        if (arr == null && root.get("data") != null && root.get("data").isObject()) {
            arr = root.get("data").get("mounted");
        }
        if (arr == null || !arr.isArray()) {
            return null;
        }
        List<Drive> drives = new ArrayList<>();
        for (JsonNode e : arr) {
            JsonNode id = e.get("isoId");
            JsonNode on = e.get("mounted");
            if (id == null || !(id.isTextual() || id.isIntegralNumber()) || on != null && on.isBoolean() && !on.booleanValue()) {
                continue;
            }
            JsonNode device = e.get("device");
            // published as mounted.device: a longer one is treated as absent, like an id, never cut
            drives.add(new Drive(device != null && device.isTextual() && device.asText().length() <= Bounds.MOUNT_DEVICE
                    ? device.asText() : null, id.asText()));
        }
        return drives;
    }

    /** The id of the first image whose {@code name} is exactly {@code filename}; empty for a null filename. */
    public Optional<String> idOf(String filename) {
        if (filename == null) {
            return Optional.empty();
        }
        return available.stream().filter(i -> filename.equals(i.name())).map(Iso::id).findFirst();
    }
}
