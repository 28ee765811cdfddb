package dev.hostupiso.worker.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.intake.RequestParser.Invalid;
import dev.hostupiso.worker.intake.RequestParser.Parsed;
import dev.hostupiso.worker.intake.RequestParser.Poison;
import dev.hostupiso.worker.intake.RequestParser.Valid;
import dev.hostupiso.worker.wire.FieldError;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a request's JSON is read: a repeated member is answered (a failed event pointing at it) unless
 * it is the requestId, and the reader's limits hold exactly where the contract says, on both sides.
 */
class RequestReaderTest {

    private static final String OK = "\"vpsId\":\"vps_1\",\"url\":\"https://h.example/x.iso\",\"filename\":\"x.iso\"";

    private final RequestParser parser = new RequestParser(new ObjectMapper());

    // ---- repeated members ----

    @Test
    void aRepeatedMemberIsAnsweredWithItsPointer() {
        Parsed p = parser.parse("{\"requestId\":\"r-42\"," + OK + ",\"filename\":\"y.iso\"}");
        assertThat(p).isInstanceOf(Invalid.class);
        Invalid invalid = (Invalid) p;
        assertThat(invalid.request().requestId()).isEqualTo("r-42");
        assertThat(invalid.errors()).containsExactly(new FieldError("/filename",
                "appears more than once in its object, so which value is meant is not certain", "duplicate_member"));
        assertThat(invalid.request().filename()).as("the last value, as read").isEqualTo("y.iso");
    }

    @Test
    void theRepeatedMemberIsReportedBesideTheOtherBrokenRules() {
        Invalid invalid = (Invalid) parser.parse("{\"requestId\":\"r\",\"vpsId\":\"v\",\"vpsId\":\"w\",\"url\":\"ftp://h/x\",\"filename\":\"x.iso\"}");
        assertThat(invalid.errors()).extracting(FieldError::pointer).containsExactly("/vpsId", "/url");
        assertThat(invalid.errors().get(0).code()).isEqualTo("duplicate_member");
    }

    @Test
    void nestedRepeatedMembersAreFoundByTheirPointer() {
        assertThat(pointers("{\"requestId\":\"r\"," + OK + ",\"mount\":{\"device\":\"ide2\",\"device\":\"ide3\"}}"))
                .isEqualTo("/mount/device");
        assertThat(pointers("{\"requestId\":\"r\"," + OK + ",\"meta\":[1,{\"a\":1,\"b\":{},\"a\":2}]}")).isEqualTo("/meta/1/a");
        assertThat(pointers("{\"requestId\":\"r\"," + OK + ",\"a/b~c\":1,\"a/b~c\":1}")).isEqualTo("/a~1b~0c");
        // The same name in different objects is no repetition.
        assertThat(parser.parse("{\"requestId\":\"r\"," + OK + ",\"meta\":{\"requestId\":1,\"x\":{\"requestId\":2}}}"))
                .isInstanceOf(Valid.class);
    }

    @Test
    void aRepeatedRequestIdStaysUnanswerable() {
        assertThat(parser.parse("{\"requestId\":\"a\"," + OK + ",\"requestId\":\"b\"}"))
                .isEqualTo(new Poison("value is not valid JSON: duplicate key"));
        assertThat(parser.parse("{\"requestId\":\"a\"," + OK + ",\"requestId\":\"a\"}")).isInstanceOf(Poison.class);
        // Without a valid requestId nothing can be answered, whatever else repeats.
        assertThat(parser.parse("{" + OK + ",\"filename\":\"y.iso\"}")).isEqualTo(new Poison("requestId is missing"));
        assertThat(parser.parse("{\"requestId\":\"r 1\"," + OK + ",\"filename\":\"y.iso\"}")).isInstanceOf(Poison.class);
    }

    private String pointers(String json) {
        Parsed p = parser.parse(json);
        assertThat(p).as(json).isInstanceOf(Invalid.class);
        return ((Invalid) p).errors().get(0).pointer();
    }

    // ---- the reader's limits, exactly ----

    @Test
    void nestingUpToTheLimitIsReadOneLevelMoreIsNot() {
        // The request object is the first level; "x" holds the rest as arrays.
        int arrays = RequestReader.MAX_NESTING_DEPTH - 1;
        assertThat(parser.parse(nested(arrays))).isInstanceOf(Valid.class);
        assertThat(parser.parse(nested(arrays + 1))).isInstanceOf(Poison.class)
                .extracting(x -> ((Poison) x).reason()).asString().contains("limits");
    }

    private static String nested(int arrays) {
        return "{\"requestId\":\"r\"," + OK + ",\"x\":" + "[".repeat(arrays) + "]".repeat(arrays) + "}";
    }

    @Test
    void numbersUpToTheLimitAreReadALongerOneIsNot() {
        String longest = "9".repeat(RequestReader.MAX_NUMBER_LENGTH);
        assertThat(parser.parse("{\"requestId\":\"r\"," + OK + ",\"n\":" + longest + "}")).isInstanceOf(Valid.class);
        assertThat(parser.parse("{\"requestId\":\"r\"," + OK + ",\"n\":" + longest + "9}")).isInstanceOf(Poison.class);
    }

    @Test
    void stringsUpToTheLimitAreReadALongerOneIsNot() {
        String longest = "v".repeat(RequestReader.MAX_STRING_LENGTH);
        Parsed atLimit = parser.parse("{\"requestId\":\"r\",\"vpsId\":\"" + longest + "\",\"url\":\"https://h/x.iso\",\"filename\":\"x.iso\"}");
        assertThat(atLimit).as("read, and answered: vpsId too long").isInstanceOf(Invalid.class);
        assertThat(parser.parse("{\"requestId\":\"r\"," + OK + ",\"note\":\"" + longest + "\"}")).isInstanceOf(Valid.class);
        assertThat(parser.parse("{\"requestId\":\"r\"," + OK + ",\"note\":\"" + longest + "v\"}")).isInstanceOf(Poison.class)
                .extracting(x -> ((Poison) x).reason()).asString().contains("limits");
    }

    /**
     * The string limit counts the value as read, in UTF-16 units: an escape ({@code \\u00e9}, {@code \\n}) is one
     * unit however many characters it takes in the record, a character written raw is one unit however many UTF-8
     * bytes it takes, and a character beyond the BMP is two (a surrogate pair), raw or escaped.
     */
    @Test
    void theStringLimitCountsUtf16UnitsOfTheValueNotCharactersOrBytesOfTheRecord() {
        int max = RequestReader.MAX_STRING_LENGTH;
        String[][] forms = {
                {"\\u00e9", "1"}, {"\\n", "1"}, {"\u00e9", "1"}, {"\u20ac", "1"},
                {"\ud83d\ude00", "2"}, {"\\ud83d\\ude00", "2"}};
        for (String[] form : forms) {
            int units = Integer.parseInt(form[1]);
            String atLimit = form[0].repeat(max / units);
            assertThat(parser.parse("{\"requestId\":\"r\"," + OK + ",\"note\":\"" + atLimit + "\"}"))
                    .as("%s × %d", form[0], max / units).isInstanceOf(Valid.class);
            assertThat(parser.parse("{\"requestId\":\"r\"," + OK + ",\"note\":\"" + atLimit + form[0] + "\"}"))
                    .as("%s × %d", form[0], max / units + 1).isInstanceOf(Poison.class);
        }
        assertThat(parser.parse("{\"requestId\":\"r\"," + OK + ",\"note\":\"" + "v".repeat(max - 1) + "\ud83d\ude00\"}"))
                .as("a pair that ends one unit past the limit").isInstanceOf(Poison.class);
    }

    @Test
    void memberNamesUpToTheLimitAreReadALongerOneIsNot() {
        String longest = "n".repeat(RequestReader.MAX_NAME_LENGTH);
        assertThat(parser.parse("{\"requestId\":\"r\"," + OK + ",\"" + longest + "\":1}")).isInstanceOf(Valid.class);
        assertThat(parser.parse("{\"requestId\":\"r\"," + OK + ",\"" + longest + "n\":1}")).isInstanceOf(Poison.class);
    }

    @Test
    void theLimitsAreTheContractsNotTheLibrarysDefaults() {
        var limits = RequestReader.LIMITS;
        assertThat(limits.getMaxNestingDepth()).isEqualTo(1_000);
        assertThat(limits.getMaxNumberLength()).isEqualTo(1_000);
        assertThat(limits.getMaxStringLength()).isEqualTo(1_048_576);
        assertThat(limits.getMaxNameLength()).isEqualTo(50_000);
    }
}
