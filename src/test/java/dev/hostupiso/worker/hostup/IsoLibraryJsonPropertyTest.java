package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.testsupport.Coverage;
import dev.hostupiso.worker.testsupport.Text;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.IsoLibrary;

import static dev.hostupiso.worker.testsupport.Theories.qt;
import static dev.hostupiso.worker.testsupport.Theories.shown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.api.Pair.of;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.lists;

/** The ISO library: {@code idOf(name)} finds exactly the first listed entry of that name with a usable id. */
class IsoLibraryJsonPropertyTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> NAMES = List.of("ubuntu.iso", "Ubuntu.iso", "ubuntu.iso ", "debian.img", "é😀.iso", "x\u0000.iso");

    /** One available[] entry as sent: JSON of its id and name (null means the member is absent). */
    record Entry(String idJson, String nameJson) {

        String json() {
            String id = idJson == null ? "" : "\"id\":" + idJson + ",";
            String name = nameJson == null ? "" : "\"name\":" + nameJson + ",";
            return "{" + id + name + "\"format\":\"iso\"}";
        }

        /** The id an entry that matches {@code name} must give, or null when it cannot match. */
        String idFor(String name) {
            if (idJson == null || nameJson == null) {
                return null;
            }
            JsonNode id;
            JsonNode n;
            try {
                id = MAPPER.readTree(idJson);
                n = MAPPER.readTree(nameJson);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            boolean usableId = (id.isTextual() || id.isIntegralNumber()) && !id.asText().isEmpty()
                    && id.asText().length() <= Bounds.ISO_ID;
            return usableId && n.isTextual() && n.asText().equals(name) ? id.asText() : null;
        }
    }

    @Test
    void idOfFindsTheFirstEntryWithThatName() {
        Coverage coverage = new Coverage("idOfFindsTheFirstEntryWithThatName");
        qt(8_000).forAll(libraries(), queries(), booleans().all()).checkAssert((entries, query, wrapped) -> {
            coverage.count();
            String array = entries.stream().map(Entry::json).collect(Collectors.joining(",", "[", "]"));
            String body = wrapped ? "{\"data\":{\"available\":" + array + "}}" : "{\"available\":" + array + ",\"mounted\":[]}";
            IsoLibrary library = IsoLibraryJson.parse(body, MAPPER).orElseThrow();
            String expected = null;
            for (Entry e : entries) {
                expected = e.idFor(query);
                if (expected != null) {
                    break;
                }
            }
            coverage.collect("found", expected != null);
            assertThat(library.idOf(query)).isEqualTo(Optional.ofNullable(expected));
            assertThat(library.available()).allSatisfy(i -> assertThat(i.id()).isNotEmpty().hasSizeLessThanOrEqualTo(Bounds.ISO_ID));
            assertThat(library.idOf(null)).isEmpty();
        });
        coverage.print().requireMoreThan("found", true, 20).requireMoreThan("found", false, 20);
    }

    @Test
    void anyBodyParsesOrNot() {
        Coverage coverage = new Coverage("anyBodyParsesOrNot");
        qt(3_000).forAll(bodies(), queries()).checkAssert((body, query) -> {
            coverage.count();
            IsoLibraryJson.parse(body, MAPPER).ifPresent(l -> {
                assertThat(l.idOf(query)).satisfiesAnyOf(Optional::isEmpty, id -> assertThat(l.available().stream()
                        .filter(i -> Objects.equals(i.name(), query)).findFirst().map(IsoLibrary.Iso::id)).isEqualTo(id));
                assertThat(l.idOf(null)).isEmpty();
            });
        });
        coverage.print();
    }

    private static Gen<List<Entry>> libraries() {
        Gen<String> id = Generate.frequency(
                of(4, Text.alphanumeric().plus("_").ofLength(1, 12).map(s -> HostileText.json("iso_" + s))),
                of(1, Generate.pick(Arrays.asList(null, "null", "\"\"", "7", "1.5", "{}", "[\"iso_1\"]", HostileText.json("i".repeat(129)),
                        HostileText.json("i".repeat(128))))));
        Gen<String> name = Generate.frequency(
                of(5, Generate.pick(NAMES).map(s -> HostileText.json(s))),
                of(1, Generate.pick(Arrays.asList(null, "null", "7", "{}", "[\"ubuntu.iso\"]"))));
        return shown(lists().of(id.zip(name, Entry::new)).ofSizeBetween(0, 12));
    }

    private static Gen<String> queries() {
        return shown(Generate.frequency(of(8, Generate.pick(NAMES)),
                of(1, Generate.pick(Arrays.asList("", "ubuntu", "UBUNTU.ISO"))), of(1, Generate.constant((String) null))));
    }

    private static Gen<String> bodies() {
        return shown(Generate.oneOf(
                libraries().map(l -> "{\"available\":" + l.stream().map(Entry::json).collect(Collectors.joining(",", "[", "]")) + "}"),
                Generate.pick(Arrays.asList("", "null", "[]", "{}", "{\"available\":null}", "{\"available\":{}}", "{\"available\":[1,null,\"x\",[]]}",
                        "{\"data\":[]}", "{\"data\":{\"available\":7}}", "<html/>")),
                Text.any().ofMaxLength(50)));
    }
}
