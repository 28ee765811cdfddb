package dev.hostupiso.worker.wire;

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

    /** The id of the first image whose {@code name} is exactly {@code filename}; empty for a null filename. */
    public Optional<String> idOf(String filename) {
        if (filename == null) {
            return Optional.empty();
        }
        return available.stream().filter(i -> filename.equals(i.name())).map(Iso::id).findFirst();
    }
}
