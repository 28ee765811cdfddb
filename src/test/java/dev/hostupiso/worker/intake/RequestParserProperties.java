package dev.hostupiso.worker.intake;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.hostupiso.worker.hostup.Bounds;
import dev.hostupiso.worker.hostup.FieldError;
import dev.hostupiso.worker.hostup.HostileText;
import dev.hostupiso.worker.job.IsoRequest;
import dev.hostupiso.worker.intake.RequestParser.Invalid;
import dev.hostupiso.worker.intake.RequestParser.Parsed;
import dev.hostupiso.worker.intake.RequestParser.Poison;
import dev.hostupiso.worker.intake.RequestParser.Valid;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request parser against the request JSON Schema, checked by the real validator: on near-valid
 * and hostile records, the parser accepts exactly what the schema accepts, dead-letters exactly what
 * has no usable requestId, and reports an error at exactly the fields the schema finds wrong.
 */
class RequestParserProperties {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** What the contract counts as one JSON document: no duplicate keys, nothing after the value. */
    private static final ObjectReader STRICT = MAPPER.reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonSchema SCHEMA = schema();
    private static final String[] FIELDS = {"vpsId", "url", "filename", "decompress"};

    private final RequestParser parser = new RequestParser(MAPPER);

    private static JsonSchema schema() {
        try (InputStream in = RequestParserProperties.class.getResourceAsStream("/schemas/iso-download-request.schema.json")) {
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in, config);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = 20_000)
    void parserAgreesWithTheSchema(@ForAll("records") String record) {
        Parsed parsed = parser.parse(record);
        boolean schemaAccepts = agrees(record, parsed);
        Statistics.label("outcome").collect(parsed.getClass().getSimpleName());
        Statistics.label("poison reason").collect(parsed instanceof Poison p ? p.reason() : "-");
        Statistics.label("schema accepts").collect(schemaAccepts);
        Statistics.label("schema accepts").coverage(c -> {
            c.check(true).percentage(p -> p > 3);
            c.check(false).percentage(p -> p > 10);
        });
        Statistics.label("outcome").coverage(c -> {
            c.check("Poison").percentage(p -> p > 5);
            c.check("Invalid").percentage(p -> p > 10);
        });
    }

    /** Checks {@code parsed} against the schema's verdict on {@code record}; answers whether the schema accepts it. */
    private static boolean agrees(String record, Parsed parsed) {
        JsonNode doc = strictRead(record);
        // A repeated member: the schema sees the last value, the parser answers with the member's pointer.
        String repeated = RepeatedMembers.first(record);
        if (repeated != null) {
            doc = RepeatedMembers.lastWins(record);
        }
        Set<String> schemaFields = new TreeSet<>();
        boolean requestIdBroken = true;
        boolean schemaAccepts = false;
        if (doc != null && doc.isObject()) {
            Set<ValidationMessage> errors = SCHEMA.validate(doc);
            schemaAccepts = errors.isEmpty() && repeated == null;
            for (ValidationMessage m : errors) {
                schemaFields.add("required".equals(m.getType()) ? "/" + m.getProperty() : m.getInstanceLocation().toString());
            }
            if (repeated != null) {
                schemaFields.add(repeated);
            }
            requestIdBroken = schemaFields.remove("/requestId");
        }
        assertThat(parsed instanceof Valid).as("Valid <=> schema accepts").isEqualTo(schemaAccepts);
        assertThat(parsed instanceof Poison).as("Poison <=> no usable requestId or not a JSON object")
                .isEqualTo(requestIdBroken);
        if (parsed instanceof Invalid invalid) {
            assertThat(invalid.errors()).isNotEmpty().allSatisfy(e -> assertThat(e.pointer()).matches("(/[A-Za-z]+){1,2}"));
            Set<String> parserFields = invalid.errors().stream().map(FieldError::pointer).collect(Collectors.toCollection(TreeSet::new));
            assertThat(parserFields).as("fields in error").isEqualTo(schemaFields);
            assertEchoBounded(invalid.request(), doc);
        }
        if (parsed instanceof Valid valid) {
            IsoRequest r = valid.request();
            assertThat(r.vpsId().length()).isLessThanOrEqualTo(Bounds.VPS_ID);
            assertThat(r.url().length()).isLessThanOrEqualTo(Bounds.URL);
            assertThat(r.filename().codePointCount(0, r.filename().length())).isLessThanOrEqualTo(Bounds.FILENAME);
            JsonNode account = doc.get("account");
            assertThat(r.account()).as("account").isEqualTo(account == null || account.isNull() ? null : account.asText());
            assertThat(r.account() == null || r.account().length() <= Bounds.ACCOUNT).isTrue();
            JsonNode mount = doc.get("mount");
            assertThat(r.mount() == null).as("mount absent").isEqualTo(mount == null || mount.isNull());
            if (r.mount() != null && r.mount().device() != null) {
                assertThat(r.mount().device()).isEqualTo(mount.get("device").asText()).hasSizeLessThanOrEqualTo(Bounds.MOUNT_DEVICE);
            }
        }
        if (parsed instanceof Poison poison) {
            assertThat(poison.reason()).isNotBlank().hasSizeLessThan(120);
        }
        return schemaAccepts;
    }

    /**
     * The optional members on an otherwise valid request, so that each of their valid and broken
     * forms is seen often.
     */
    @Property(tries = 5_000)
    void accountAndMountAgreeWithTheSchema(@ForAll("teamRecords") String record) {
        Parsed parsed = parser.parse(record);
        agrees(record, parsed);
        Statistics.label("account").collect(parsed instanceof Valid v ? (v.request().account() == null ? "default" : "named") : "-");
        Statistics.label("mount").collect(parsed instanceof Valid v ? (v.request().mount() == null ? "none"
                : v.request().mount().device() == null ? "any device" : "device") : parsed.getClass().getSimpleName());
        Statistics.label("account").coverage(c -> c.check("named").percentage(p -> p > 10));
        Statistics.label("mount").coverage(c -> {
            c.check("device").percentage(p -> p > 2);
            c.check("Invalid").percentage(p -> p > 10);
        });
    }

    @Provide
    Arbitrary<String> teamRecords() {
        return extras().map(members -> "{\"requestId\":\"r-1\",\"vpsId\":\"vps_1\",\"url\":\"https://h.example/u.iso\","
                + "\"filename\":\"u.iso\"" + (members.isEmpty() ? "" : "," + members) + "}");
    }

    private static void assertEchoBounded(IsoRequest echo, JsonNode doc) {
        echoed(echo.vpsId(), doc.get("vpsId"), Bounds.VPS_ID);
        echoed(echo.url(), doc.get("url"), Bounds.URL);
        echoed(echo.filename(), doc.get("filename"), Bounds.FILENAME);
        echoed(echo.decompress(), doc.get("decompress"), Bounds.DECOMPRESS);
    }

    private static void echoed(String echo, JsonNode sent, int max) {
        if (echo == null) {
            return;
        }
        assertThat(echo.length()).isLessThanOrEqualTo(max);
        if (sent != null && sent.isTextual() && sent.asText().length() > max) {
            assertThat(echo).endsWith(Bounds.MARKER);
            assertThat(sent.asText()).startsWith(echo.substring(0, echo.length() - Bounds.MARKER.length()));
        }
    }

    private static JsonNode strictRead(String text) {
        try {
            return STRICT.readTree(text);
        } catch (Exception notOneDocument) {
            return null;
        }
    }

    // ---- generators ----

    @Provide
    Arbitrary<String> records() {
        return Arbitraries.frequencyOf(
                Tuple.of(70, requestObjects()),
                Tuple.of(6, requestObjects().map(RequestParserProperties::duplicateAKey)),
                Tuple.of(4, Combinators.combine(requestObjects(), Arbitraries.of(" x", "{}", "]", " \n", "\t", ",1", "null"))
                        .as(String::concat)),
                Tuple.of(4, Combinators.combine(requestObjects(), Arbitraries.integers().between(0, 60))
                        .as((s, k) -> s.substring(0, Math.min(k, s.length())))),
                Tuple.of(4, deepNesting()),
                Tuple.of(4, hugeNumbers()),
                Tuple.of(4, Arbitraries.of("", " ", "null", "[]", "\"r-1\"", "42", "true", "{", "{}", "[{\"requestId\":\"r\"}]")),
                Tuple.of(4, Arbitraries.strings().all().ofMaxLength(40)));
    }

    private Arbitrary<String> requestObjects() {
        Arbitrary<String> requestId = Arbitraries.frequencyOf(
                Tuple.of(88, Arbitraries.strings().withChars("AZaz09._:-").withCharRange('a', 'z').ofMinLength(1).ofMaxLength(128)
                        .map(HostileText::json)),
                Tuple.of(4, Arbitraries.of("", " ", "r 1", "r/1", "r\n", "é", "a".repeat(129)).map(HostileText::json)),
                Tuple.of(8, hostileValue()));
        Arbitrary<String> vpsId = field(Arbitraries.strings().withCharRange('a', 'z').withChars("AZ09_-").ofMinLength(1).ofMaxLength(128),
                Arbitraries.strings().withCharRange('a', 'z').withChars("AZ09_-+. é\n").ofMinLength(0).ofMaxLength(130));
        Arbitrary<String> decompress = Arbitraries.frequencyOf(
                Tuple.of(50, Arbitraries.of("none", "gzip", "lzo", "zstd", "bzip2").map(HostileText::json)),
                Tuple.of(20, Arbitraries.just(ABSENT)),
                Tuple.of(10, Arbitraries.just("null")),
                Tuple.of(20, Arbitraries.of("", " ", "GZIP", "xz", "none ", "gzip\n", "a".repeat(40)).map(HostileText::json)));
        return Combinators.combine(requestId, vpsId, field(validUrls(), urls()), field(validFilenames(), filenames()), decompress, extras(),
                Arbitraries.of(false, true)).as(RequestParserProperties::object);
    }

    private static final String ABSENT = "<absent>";

    private static String object(String rid, String vps, String url, String file, String dec, String extra, boolean reversed) {
        List<String> members = new ArrayList<>();
        add(members, "requestId", rid);
        add(members, "vpsId", vps);
        add(members, "url", url);
        add(members, "filename", file);
        add(members, "decompress", dec);
        if (!extra.isEmpty()) {
            members.add(extra);
        }
        if (reversed) {
            java.util.Collections.reverse(members);
        }
        return "{" + String.join(",", members) + "}";
    }

    private static void add(List<String> members, String name, String jsonValue) {
        if (!ABSENT.equals(jsonValue)) {
            members.add("\"" + name + "\":" + jsonValue);
        }
    }

    /** A field: mostly valid or near-valid values, else absent, null, another type or hostile text. */
    private static Arbitrary<String> field(Arbitrary<String> valid, Arbitrary<String> nearValid) {
        return Arbitraries.frequencyOf(
                Tuple.of(60, Combinators.combine(valid, Arbitraries.of(false, true)).as(HostileText::json)),
                Tuple.of(25, Combinators.combine(nearValid, Arbitraries.of(false, true)).as(HostileText::json)),
                Tuple.of(4, Arbitraries.just(ABSENT)),
                Tuple.of(11, hostileValue()));
    }

    private static Arbitrary<String> hostileValue() {
        return Arbitraries.oneOf(
                Arbitraries.of("null", "7", "-0", "1e999999", "true", "{}", "[\"x\"]", "{\"a\":[1]}", "\"\"", "\"  \""),
                HostileText.anyLength().map(HostileText::json));
    }

    /** Optional members: account, mount and unknown ones, in any combination. */
    private static Arbitrary<String> extras() {
        return Combinators.combine(accounts(), mounts(), unknownMembers()).as((account, mount, unknown) -> {
            List<String> members = new ArrayList<>();
            add(members, "account", account);
            add(members, "mount", mount);
            if (!unknown.isEmpty()) {
                members.add(unknown);
            }
            return String.join(",", members);
        });
    }

    private static Arbitrary<String> accounts() {
        return Arbitraries.frequencyOf(
                Tuple.of(35, Arbitraries.just(ABSENT)),
                Tuple.of(10, Arbitraries.just("null")),
                Tuple.of(30, Arbitraries.strings().withCharRange('a', 'z').withChars("0-").ofMinLength(1).ofMaxLength(34)
                        .map(HostileText::json)),
                Tuple.of(15, Arbitraries.of("", "-", "a-", "-a", "Team", "team_a", "team a", "a\n", "t\u00e9am", "default",
                        "a".repeat(32), "a".repeat(33), "0", "a--b").map(HostileText::json)),
                Tuple.of(10, hostileValue()));
    }

    private static Arbitrary<String> mounts() {
        Arbitrary<String> device = Arbitraries.frequencyOf(
                Tuple.of(40, Arbitraries.of("ide2", "ide0", "scsi1", "sata3", "a".repeat(15) + "1", "ide22").map(HostileText::json)),
                Tuple.of(30, Arbitraries.strings().withCharRange('a', 'z').withChars("0129A _-\n").ofMinLength(0).ofMaxLength(18)
                        .map(HostileText::json)),
                Tuple.of(15, Arbitraries.of("IDE2", "ide", "2", "ide2 ", "ide2\n", "a".repeat(16) + "1", "ide-2")
                        .map(HostileText::json)),
                Tuple.of(15, hostileValue()));
        Arbitrary<String> object = Combinators.combine(device, Arbitraries.of("", ",\"x\":1", ",\"device2\":{}"), Arbitraries.of(true, false))
                .as((d, extra, withDevice) -> "{" + (withDevice ? "\"device\":" + d + extra : extra.isEmpty() ? "" : extra.substring(1)) + "}");
        return Arbitraries.frequencyOf(
                Tuple.of(35, Arbitraries.just(ABSENT)),
                Tuple.of(10, Arbitraries.just("null")),
                Tuple.of(45, object),
                Tuple.of(10, Arbitraries.of("\"ide2\"", "[]", "7", "true", "[{\"device\":\"ide2\"}]", "{\"device\":\"a\",\"device\":\"b\"}")));
    }

    private static Arbitrary<String> unknownMembers() {
        return Arbitraries.of("", "\"extra\":{\"x\":[1,{}]}", "\"n\":123456789012345678901234567890", "\"\u00e9\":\"\ud83d\ude00\"",
                "\"deep\":" + "[".repeat(500) + "]".repeat(500));
    }

    private static Arbitrary<String> validUrls() {
        return Combinators.combine(Arbitraries.of("https://", "http://", "HTTPS://"),
                Arbitraries.strings().withCharRange('a', 'z').withChars(".-0").ofMinLength(1).ofMaxLength(15),
                Arbitraries.of("", ":8443", "user:pw@"),
                Arbitraries.strings().withCharRange('a', 'z').withChars("/._-~%20+=&?#").ofMaxLength(40))
                .as((s, h, p, r) -> p.endsWith("@") ? s + p + h + "/" + r.replace("%", "%25") : s + h + p + "/" + r.replace("%", "%25"));
    }

    private static Arbitrary<String> validFilenames() {
        return Combinators.combine(Arbitraries.strings().withCharRange('a', 'z').withChars("-_ 0(é😀.").ofMinLength(1).ofMaxLength(40)
                        .filter(s -> !s.contains("..") && !s.endsWith(".")),
                Arbitraries.of(".iso", ".img", ".ISO", ".iMg")).as(String::concat);
    }

    private static Arbitrary<String> urls() {
        Arbitrary<String> scheme = Arbitraries.of("https://", "http://", "HTTPS://", "hTtP://", "ftp://", "https:/", "//", "");
        Arbitrary<String> host = Arbitraries.frequencyOf(
                Tuple.of(80, Arbitraries.strings().withCharRange('a', 'z').withChars(".-_~0").ofMinLength(1).ofMaxLength(15)),
                Tuple.of(10, Arbitraries.of("[::1]", "[fe80::1%25]", "user:pw@h", "@h", "h:8080", "h:", ":80", "")),
                Tuple.of(10, Arbitraries.strings().withChars("a.é😀 %[]@:").ofMaxLength(8)));
        Arbitrary<String> rest = Arbitraries.frequencyOf(
                Tuple.of(60, Arbitraries.strings().withCharRange('a', 'z').withChars("/._-~!$&'()*+,;=:@%2F0?#").ofMaxLength(40)
                        .map(s -> s.isEmpty() ? s : "/" + s)),
                Tuple.of(25, Arbitraries.strings().withChars("/a%zZ9 \"<>{}|^`\\[]é\u0001\n#?").ofMaxLength(10).map(s -> "/" + s)),
                Tuple.of(15, Arbitraries.integers().between(2030, 2060).map(n -> "/" + "a".repeat(n))));
        return Combinators.combine(scheme, host, rest).as((s, h, r) -> s + h + r);
    }

    private static Arbitrary<String> filenames() {
        Arbitrary<String> stem = Arbitraries.frequencyOf(
                Tuple.of(60, Arbitraries.strings().withCharRange('a', 'z').withChars("-_. 0(é😀").ofMinLength(0).ofMaxLength(30)),
                Tuple.of(15, Arbitraries.strings().withChars("a./\\\u0000\u001f\u007f\u0085\u009f\ud800\udc00\u2028\u00a0 ")
                        .ofMaxLength(6)),
                Tuple.of(15, Arbitraries.integers().between(247, 256).map("a"::repeat)),
                Tuple.of(10, Arbitraries.integers().between(123, 130).map("😀"::repeat)));
        Arbitrary<String> ext = Arbitraries.of(".iso", ".img", ".ISO", ".iMg", ".isO", ".iso ", ".isoo", ".is", "", ".iso\n",
                ".iso\u2028", ".img.gz", "..iso", ".\u0130so");
        return Combinators.combine(stem, ext).as(String::concat);
    }

    private static String duplicateAKey(String object) {
        if (object.length() < 3) {
            return object;
        }
        return object.substring(0, object.length() - 1) + (object.length() > 2 ? "," : "")
                + "\"requestId\":\"dup\"}";
    }

    private static Arbitrary<String> deepNesting() {
        return Combinators.combine(Arbitraries.integers().between(990, 10_000), Arbitraries.of(true, false))
                .as((depth, inObject) -> inObject
                        ? "{\"requestId\":\"r\",\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}"
                        : "[".repeat(depth) + "]".repeat(depth));
    }

    private static Arbitrary<String> hugeNumbers() {
        return Arbitraries.of("1e999999", "-1e-999999", "1".repeat(1001), "1".repeat(999), "0." + "5".repeat(2000), "-0", "1E+2147483647")
                .map(n -> "{\"requestId\":\"r\",\"vpsId\":" + n + ",\"url\":\"https://h/x\",\"filename\":\"x.iso\"}");
    }
}
