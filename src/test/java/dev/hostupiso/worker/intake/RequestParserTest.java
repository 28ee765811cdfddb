package dev.hostupiso.worker.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.intake.RequestParser.Invalid;
import dev.hostupiso.worker.intake.RequestParser.Parsed;
import dev.hostupiso.worker.intake.RequestParser.Poison;
import dev.hostupiso.worker.intake.RequestParser.Valid;
import dev.hostupiso.worker.wire.FieldError;
import dev.hostupiso.worker.wire.IsoRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RequestParserTest {

    private final RequestParser parser = new RequestParser(new ObjectMapper());

    private static String request(String filename, String url) {
        return "{\"requestId\":\"r-42\",\"vpsId\":\"vps_01hxa3b4c5d6e7f8g9h0j1k2m3\",\"url\":\"" + url
                + "\",\"filename\":\"" + filename + "\"}";
    }

    private java.util.List<FieldError> errorsOf(String json) {
        Parsed p = parser.parse(json);
        assertThat(p).isInstanceOf(Invalid.class);
        return ((Invalid) p).errors();
    }

    @Test
    void validRequestWithDefaultsAndUnknownFieldsIgnored() {
        Parsed p = parser.parse("{\"requestId\":\"r-42\",\"vpsId\":\"vps_01hx\",\"url\":\"https://releases.example.org/u.iso\","
                + "\"filename\":\"ubuntu-24.04-live-server-amd64.iso\",\"extra\":{\"x\":[1]}}");
        assertThat(p).isEqualTo(new Valid(new IsoRequest("r-42", "vps_01hx", "https://releases.example.org/u.iso",
                "ubuntu-24.04-live-server-amd64.iso", "none")));
    }

    @Test
    void accountAndMountAreReadAndUnknownMountMembersIgnored() {
        String base = "{\"requestId\":\"r\",\"vpsId\":\"v\",\"url\":\"http://h/x\",\"filename\":\"x.iso\"";
        assertThat(parser.parse(base + ",\"account\":\"team-a\",\"mount\":{\"device\":\"ide2\",\"boot\":true}}"))
                .isEqualTo(new Valid(new IsoRequest("r", "v", "http://h/x", "x.iso", "none", "team-a",
                        new IsoRequest.MountRequest("ide2"))));
        assertThat(parser.parse(base + ",\"account\":null,\"mount\":{}}"))
                .isEqualTo(new Valid(new IsoRequest("r", "v", "http://h/x", "x.iso", "none", null, new IsoRequest.MountRequest(null))));
        assertThat(parser.parse(base + ",\"mount\":null}")).isEqualTo(new Valid(new IsoRequest("r", "v", "http://h/x", "x.iso", "none")));
        assertThat(errorsOf(base + ",\"account\":\"Team_A\",\"mount\":{\"device\":\"ide\"}}"))
                .extracting(FieldError::pointer).containsExactly("/account", "/mount/device");
        assertThat(errorsOf(base + ",\"account\":\"-a\",\"mount\":\"ide2\"}"))
                .extracting(FieldError::pointer).containsExactly("/account", "/mount");
        assertThat(errorsOf(base + ",\"account\":\"" + "a".repeat(33) + "\",\"mount\":{\"device\":null}}"))
                .extracting(FieldError::pointer).containsExactly("/account", "/mount/device");
        assertThat(parser.parse(base + ",\"account\":\"" + "a".repeat(32) + "\",\"mount\":{\"device\":\"" + "a".repeat(15) + "1\"}}"))
                .isInstanceOf(Valid.class);
        assertThat(errorsOf(base + ",\"mount\":{\"device\":\"" + "a".repeat(16) + "1\"}}"))
                .extracting(FieldError::code).containsExactly("too_long");
    }

    @Test
    void decompressAcceptsTheFiveHostUpValues() {
        for (String d : new String[] {"none", "gzip", "lzo", "zstd", "bzip2"}) {
            String json = "{\"requestId\":\"r\",\"vpsId\":\"v\",\"url\":\"http://h/x.iso.gz\",\"filename\":\"x.img\",\"decompress\":\"" + d + "\"}";
            assertThat(parser.parse(json)).isInstanceOf(Valid.class);
        }
        assertThat(errorsOf("{\"requestId\":\"r\",\"vpsId\":\"v\",\"url\":\"http://h/x\",\"filename\":\"x.iso\",\"decompress\":\"xz\"}"))
                .extracting(FieldError::pointer, FieldError::code).containsExactly(org.assertj.core.groups.Tuple.tuple("/decompress", "invalid_value"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[1,2]", "\"text\"", "42", "not json", "{\"vpsId\":\"v\"}", "{\"requestId\":\"\"}",
            "{\"requestId\":\"has space\"}", "{\"requestId\":12}", "{\"requestId\":null}"})
    void unanswerableRecordsArePoison(String value) {
        assertThat(parser.parse(value)).isInstanceOf(Poison.class);
    }

    @Test
    void nullValueIsPoisonAndLongRequestIdToo() {
        assertThat(parser.parse(null)).isEqualTo(new Poison("record has no value"));
        assertThat(parser.parse("{\"requestId\":\"" + "a".repeat(129) + "\"}")).isInstanceOf(Poison.class);
        assertThat(parser.parse("{\"requestId\":\"" + "a".repeat(128) + "\"}")).isInstanceOf(Invalid.class);
    }

    @Test
    void missingFieldsAreReportedWithPointers() {
        assertThat(errorsOf("{\"requestId\":\"r-1\"}")).extracting(FieldError::pointer)
                .containsExactly("/vpsId", "/url", "/filename");
        assertThat(errorsOf("{\"requestId\":\"r-1\"}")).allMatch(e -> e.code().equals("missing_required"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://h/x.iso", "file:///etc/passwd", "javascript:alert(1)", "http:///nohost", "not a url", "//h/x.iso"})
    void urlMustBeHttpOrHttps(String url) {
        assertThat(errorsOf(request("x.iso", url))).extracting(FieldError::pointer).containsExactly("/url");
    }

    @Test
    void urlLengthIsCapped() {
        String url = "https://h/" + "a".repeat(2048);
        assertThat(errorsOf(request("x.iso", url))).extracting(FieldError::code).containsExactly("too_long");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x.iso", "a/b.iso", "a\\\\b.iso", "x.exe", ".iso", "x.iso.tar", "bad\\u0001name.iso", "x..iso"})
    void filenameMustBeAPlainIsoOrImgName(String filename) {
        assertThat(errorsOf(request(filename, "https://h/x"))).extracting(FieldError::pointer).containsExactly("/filename");
    }

    @Test
    void filenameLengthAndCaseInsensitiveExtension() {
        assertThat(parser.parse(request("A".repeat(251) + ".ISO", "https://h/x"))).isInstanceOf(Valid.class);
        assertThat(errorsOf(request("A".repeat(252) + ".iso", "https://h/x"))).extracting(FieldError::code).containsExactly("too_long");
    }

    @Test
    void vpsIdMustBeASafePathSegment() {
        assertThat(errorsOf("{\"requestId\":\"r\",\"vpsId\":\"../../admin\",\"url\":\"https://h/x\",\"filename\":\"x.iso\"}"))
                .extracting(FieldError::pointer).containsExactly("/vpsId");
        assertThat(errorsOf("{\"requestId\":\"r\",\"vpsId\":7,\"url\":\"https://h/x\",\"filename\":\"x.iso\"}"))
                .extracting(FieldError::code).containsExactly("invalid_format");
    }

    @Test
    void invalidValuesAreEchoedCutToTheContractMaximum() {
        String huge = "v".repeat(600_000);
        Parsed p = parser.parse("{\"requestId\":\"r-1\",\"vpsId\":\"" + huge + "\",\"url\":\"ftp://" + huge
                + "\",\"filename\":\"" + huge + "\",\"decompress\":\"" + huge + "\"}");
        IsoRequest echo = ((Invalid) p).request();
        assertThat(echo.vpsId()).hasSize(128).endsWith("…").startsWith("vvv");
        assertThat(echo.url()).hasSize(2048).endsWith("…");
        assertThat(echo.filename()).hasSize(255).endsWith("…");
        assertThat(echo.decompress()).hasSize(16).endsWith("…");
        assertThat(((Invalid) p).errors()).extracting(FieldError::pointer)
                .containsExactlyInAnyOrder("/vpsId", "/url", "/filename", "/decompress");
    }

    @Test
    void recordsWhoseMeaningIsUncertainArePoison() {
        assertThat(parser.parse("{\"requestId\":\"a\",\"requestId\":\"b\"}"))
                .isEqualTo(new Poison("value is not valid JSON: duplicate key"));
        assertThat(parser.parse("{\"requestId\":\"r\"} {\"requestId\":\"s\"}"))
                .isEqualTo(new Poison("value is not valid JSON: content after the value"));
        assertThat(parser.parse("{\"requestId\":\"r\",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}"))
                .isInstanceOf(Poison.class).extracting(x -> ((Poison) x).reason()).asString().contains("limits");
        assertThat(parser.parse("{\"requestId\":\"r\",\"vpsId\":" + "9".repeat(1001) + "}")).isInstanceOf(Poison.class);
        assertThat(parser.parse("{\"requestId\":\"r\",\"vpsId\":1e999999}")).isInstanceOf(Invalid.class);
    }

    @Test
    void aLineBreakAfterAnIdIsNotPartOfTheId() {
        assertThat(parser.parse("{\"requestId\":\"r-1\\n\"}")).isInstanceOf(Poison.class);
        assertThat(errorsOf("{\"requestId\":\"r\",\"vpsId\":\"v\\n\",\"url\":\"https://h/x\",\"filename\":\"x.iso\"}"))
                .extracting(FieldError::pointer).containsExactly("/vpsId");
    }

    @Test
    void decompressNullMeansNone() {
        assertThat(parser.parse("{\"requestId\":\"r\",\"vpsId\":\"v\",\"url\":\"https://h/x\",\"filename\":\"x.iso\",\"decompress\":null}"))
                .isEqualTo(new Valid(new IsoRequest("r", "v", "https://h/x", "x.iso", "none")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://h/a b.iso", "https://h/\\u00e9.iso", "https://h/%zz", "https://h/x\\n", "https://[::1/x",
            "https://h/<x>", "https://h/a#b#c"})
    void urlMustBeAsciiUriSyntax(String url) {
        assertThat(errorsOf(request("x.iso", url))).extracting(FieldError::pointer).containsExactly("/url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://h/a%20b.iso?x=1&y=%2F#frag", "http://user:pw@h:8080/", "https://[::1]/x.iso", "HTTP://h"})
    void urlsInUriSyntaxAreAccepted(String url) {
        assertThat(parser.parse(request("x.iso", url))).isInstanceOf(Valid.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\\u0085b.iso", "a\\u009fb.iso", "a\\ud800b.iso", "x.iso\\u2028", "x.iso\\n"})
    void filenameRefusesC1ControlsLoneSurrogatesAndTrailingBreaks(String filename) {
        assertThat(errorsOf(request(filename, "https://h/x"))).extracting(FieldError::pointer).containsExactly("/filename");
    }

    @Test
    void filenameLengthCountsCodePointsAsTheSchemaDoes() {
        assertThat(parser.parse(request("\\ud83d\\ude00".repeat(251) + ".iso", "https://h/x"))).isInstanceOf(Valid.class);
        assertThat(errorsOf(request("\\ud83d\\ude00".repeat(252) + ".iso", "https://h/x"))).extracting(FieldError::code)
                .containsExactly("too_long");
    }

    @Test
    void theSchemaStatesExactlyTheParsersPatterns() throws Exception {
        com.fasterxml.jackson.databind.JsonNode props = new ObjectMapper()
                .readTree(getClass().getResourceAsStream("/schemas/iso-download-request.schema.json")).get("properties");
        assertThat(props.at("/requestId/pattern").asText()).isEqualTo(RequestParser.REQUEST_ID_PATTERN);
        assertThat(props.at("/vpsId/pattern").asText()).isEqualTo(RequestParser.VPS_ID_PATTERN);
        assertThat(props.at("/url/pattern").asText()).isEqualTo(RequestParser.URL_PATTERN);
        assertThat(props.at("/url/maxLength").asInt()).isEqualTo(RequestParser.MAX_URL);
        assertThat(props.at("/filename/pattern").asText()).isEqualTo(RequestParser.FILENAME_PATTERN);
        assertThat(props.at("/filename/maxLength").asInt()).isEqualTo(RequestParser.MAX_FILENAME);
    }
}
