package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import dev.hostupiso.worker.wire.IsoLibrary;

import static org.assertj.core.api.Assertions.assertThat;

class IsoLibraryJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void findsTheEntryWhoseNameEqualsAndToleratesNulls() {
        IsoLibrary l = IsoLibraryJson.parse("{\"available\":[{\"id\":\"iso_1\",\"name\":null},{\"id\":\"iso_2\",\"name\":\"x.iso\"},"
                + "{\"name\":\"x.iso\"},{\"id\":\"iso_3\",\"name\":\"x.iso\"}]}", mapper).orElseThrow();
        assertThat(l.idOf("x.iso")).contains("iso_2");
        assertThat(l.idOf("X.ISO")).isEmpty();
        assertThat(l.idOf(null)).isEmpty();
    }

    @Test
    void entriesWithoutAUsableIdAreLeftOut() {
        IsoLibrary l = IsoLibraryJson.parse("{\"available\":[{\"id\":\"" + "i".repeat(129) + "\",\"name\":\"x.iso\"},{\"id\":\"\",\"name\":\"x.iso\"},"
                + "{\"id\":{},\"name\":\"x.iso\"},{\"id\":\"iso_ok\",\"name\":\"x.iso\"}]}", mapper).orElseThrow();
        assertThat(l.available()).extracting(IsoLibrary.Iso::id).containsExactly("iso_ok");
        assertThat(l.idOf("x.iso")).contains("iso_ok");
    }
}
