package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The ISO library: {@code idOf(name)} finds exactly the first listed entry of that name with a usable id. */
class IsoLibraryProperties {

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
        String idFor(String name) throws Exception {
            if (idJson == null || nameJson == null) {
                return null;
            }
            var id = MAPPER.readTree(idJson);
            var n = MAPPER.readTree(nameJson);
            boolean usableId = (id.isTextual() || id.isIntegralNumber()) && !id.asText().isEmpty()
                    && id.asText().length() <= Bounds.ISO_ID;
            return usableId && n.isTextual() && n.asText().equals(name) ? id.asText() : null;
        }
    }

    @Property(tries = 8_000)
    void idOfFindsTheFirstEntryWithThatName(@ForAll("libraries") List<Entry> entries, @ForAll("queries") String query,
                                            @ForAll boolean wrapped) throws Exception {
        String array = entries.stream().map(Entry::json).collect(Collectors.joining(",", "[", "]"));
        String body = wrapped ? "{\"data\":{\"available\":" + array + "}}" : "{\"available\":" + array + ",\"mounted\":[]}";
        IsoLibrary library = IsoLibrary.parse(body, MAPPER).orElseThrow();
        String expected = null;
        for (Entry e : entries) {
            expected = e.idFor(query);
            if (expected != null) {
                break;
            }
        }
        Statistics.label("found").collect(expected != null);
        Statistics.label("found").coverage(c -> {
            c.check(true).percentage(p -> p > 20);
            c.check(false).percentage(p -> p > 20);
        });
        assertThat(library.idOf(query)).isEqualTo(Optional.ofNullable(expected));
        assertThat(library.available()).allSatisfy(i -> assertThat(i.id()).isNotEmpty().hasSizeLessThanOrEqualTo(Bounds.ISO_ID));
        assertThat(library.idOf(null)).isEmpty();
    }

    @Property(tries = 3_000)
    void anyBodyParsesOrNot(@ForAll("bodies") String body, @ForAll("queries") String query) {
        IsoLibrary.parse(body, MAPPER).ifPresent(l -> {
            assertThat(l.idOf(query)).satisfiesAnyOf(Optional::isEmpty, id -> assertThat(l.available().stream()
                    .filter(i -> Objects.equals(i.name(), query)).findFirst().map(IsoLibrary.Iso::id)).isEqualTo(id));
            assertThat(l.idOf(null)).isEmpty();
        });
    }

    @Provide
    Arbitrary<List<Entry>> libraries() {
        Arbitrary<String> id = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.strings().alpha().numeric().withChars("_").ofMinLength(1).ofMaxLength(12).map(s -> HostileText.json("iso_" + s))),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(null, "null", "\"\"", "7", "1.5", "{}", "[\"iso_1\"]", HostileText.json("i".repeat(129)),
                        HostileText.json("i".repeat(128)))));
        Arbitrary<String> name = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.of(NAMES).map(HostileText::json)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(null, "null", "7", "{}", "[\"ubuntu.iso\"]")));
        return Combinators.combine(id, name).as(Entry::new).list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<String> queries() {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, Arbitraries.of(NAMES)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("", "ubuntu", "UBUNTU.ISO")), net.jqwik.api.Tuple.of(1, Arbitraries.just(null)));
    }

    @Provide
    Arbitrary<String> bodies() {
        return Arbitraries.oneOf(
                libraries().map(l -> "{\"available\":" + l.stream().map(Entry::json).collect(Collectors.joining(",", "[", "]")) + "}"),
                Arbitraries.of("", "null", "[]", "{}", "{\"available\":null}", "{\"available\":{}}", "{\"available\":[1,null,\"x\",[]]}",
                        "{\"data\":[]}", "{\"data\":{\"available\":7}}", "<html/>"),
                Arbitraries.strings().all().ofMaxLength(50));
    }
}
