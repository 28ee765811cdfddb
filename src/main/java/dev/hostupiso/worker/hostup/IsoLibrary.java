package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The parts of {@code GET /api/v2/vps/{id}/iso} the worker needs: the available images. */
public record IsoLibrary(List<Iso> available) {

    /** One {@code available[]} entry; {@code name} may be null. */
    public record Iso(String id, String name) {
    }

    public static Optional<IsoLibrary> parse(String body, ObjectMapper mapper) {
        JsonNode root = Problem.readObject(body, mapper);
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
            if (e.hasNonNull("id")) {
                isos.add(new Iso(e.get("id").asText(), e.hasNonNull("name") ? e.get("name").asText() : null));
            }
        }
        return Optional.of(new IsoLibrary(List.copyOf(isos)));
    }

    /** The id of the image whose {@code name} is exactly the requested filename. */
    public Optional<String> idOf(String filename) {
        return available.stream().filter(i -> filename.equals(i.name())).map(Iso::id).findFirst();
    }
}
