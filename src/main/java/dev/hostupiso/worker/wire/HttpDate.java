package dev.hostupiso.worker.wire;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an HTTP-date in the three formats RFC 9110 §5.6.7 requires a recipient to accept:
 * IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}), the obsolete RFC 850
 * ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and asctime ({@code Sun Nov  6 08:49:37 1994}).
 * Strictly: a date that does not exist (31 February), a day name that is not that date's, or text
 * around the date make it no date at all. (Netty's reader was not used: it follows RFC 6265's
 * cookie-date algorithm, which accepts a date anywhere in a text and rolls 31 February over to March.)
 */
final class HttpDate {

    private HttpDate() {
    }

    /** Strict: the JDK's default (smart) resolver would read 31 February as 28 February. */
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.RFC_1123_DATE_TIME.withResolverStyle(ResolverStyle.STRICT);
    private static final String MONTHS = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
    private static final String TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
    private static final Pattern RFC_850 = Pattern.compile(
            "(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-" + MONTHS + "-(\\d{2}) " + TIME + " GMT");
    private static final Pattern ASCTIME = Pattern.compile(
            "(Mon|Tue|Wed|Thu|Fri|Sat|Sun) " + MONTHS + " ( \\d|\\d{2}) " + TIME + " (\\d{4})");
    private static final List<String> MONTH_NAMES = List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
            "Oct", "Nov", "Dec");

    /** The instant {@code v} names, or empty when it is none of the three formats; {@code now} dates an RFC 850 year. */
    static Optional<Instant> parse(String v, Instant now) {
        try {
            // IMF-fixdate, as the JDK reads RFC 1123 dates (it checks the day name against the date).
            return Optional.of(ZonedDateTime.parse(v, IMF_FIXDATE).toInstant());
        } catch (DateTimeParseException e) {
            // one of the obsolete formats, or none
        }
        Matcher m = RFC_850.matcher(v);
        if (m.matches()) {
            int thisYear = now.atZone(ZoneOffset.UTC).getYear();
            // RFC 9110: a two-digit year more than 50 years ahead is the most recent such year in the past.
            int year = thisYear / 100 * 100 + Integer.parseInt(m.group(4));
            if (year > thisYear + 50) {
                year -= 100;
            }
            return at(m.group(1), year, m.group(3), m.group(2), m, 5);
        }
        m = ASCTIME.matcher(v);
        if (m.matches()) {
            return at(m.group(1), Integer.parseInt(m.group(7)), m.group(2), m.group(3).trim(), m, 4);
        }
        return Optional.empty();
    }

    /** The date, if it exists and {@code dayName} (full or abbreviated) is its day; the time from {@code m}'s groups at {@code time}. */
    private static Optional<Instant> at(String dayName, int year, String month, String day, Matcher m, int time) {
        try {
            LocalDateTime t = LocalDateTime.of(year, MONTH_NAMES.indexOf(month) + 1, Integer.parseInt(day),
                    Integer.parseInt(m.group(time)), Integer.parseInt(m.group(time + 1)), Integer.parseInt(m.group(time + 2)));
            DayOfWeek dow = t.getDayOfWeek();
            boolean dayMatches = dayName.equals(dow.getDisplayName(TextStyle.FULL, Locale.US))
                    || dayName.equals(dow.getDisplayName(TextStyle.SHORT, Locale.US));
            return dayMatches ? Optional.of(t.toInstant(ZoneOffset.UTC)) : Optional.empty();
        } catch (DateTimeException e) {
            return Optional.empty(); // 31 February, hour 25, ...
        }
    }
}
