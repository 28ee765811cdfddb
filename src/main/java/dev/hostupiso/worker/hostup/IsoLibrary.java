package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts of {@code GET /api/v2/vps/{id}/iso} the worker needs: the available images. An entry
 * without a usable id (absent, not a string or number, empty, or longer than {@link Bounds#ISO_ID}:
 * the id is published as {@code isoId}, and a cut id would name another image) is left out.
 */
public record IsoLibrary(List<Iso> available) {

    /** One {@code available[]} entry; {@code name} is null when absent or not a string. */
    public record Iso(String id, String name) {
    }

    public IsoLibrary {
        available = available == null ? List.of() : List.copyOf(available);
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
        return Optional.of(new IsoLibrary(isos));
    }

    /** The id of the first image whose {@code name} is exactly {@code filename}; empty for a null filename. */
    public Optional<String> idOf(String filename) {
        if (filename == null) {
            return Optional.empty();
        }
        return available.stream().filter(i -> filename.equals(i.name())).map(Iso::id).findFirst();
    }
}
