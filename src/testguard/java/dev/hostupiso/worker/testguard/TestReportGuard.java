package dev.hostupiso.worker.testguard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Fails the build when a class under {@code src/test/java} declares a test but no Surefire or Failsafe
 * report shows that it ran: a test class named so that neither plugin picks it up (say {@code *Properties})
 * is otherwise skipped in silence, and with it everything it claims to prove.
 *
 * <p>A class declares a test when it carries a test annotation of any engine (JUnit Jupiter's {@code @Test},
 * {@code @ParameterizedTest}, {@code @RepeatedTest}, {@code @TestFactory}, {@code @TestTemplate}, ArchUnit's
 * {@code @ArchTest}, jqwik's {@code @Property} and {@code @Example}); abstract classes are left out, their
 * tests run in their subclasses. A class has run when {@code TEST-<class>.xml} (or a report of one of its
 * nested classes) exists in {@code target/surefire-reports} or {@code target/failsafe-reports} and counts at
 * least one test. Runs on plain Java, without JUnit, in the {@code verify} phase after Failsafe.
 */
public final class TestReportGuard {

    private static final Pattern TEST_ANNOTATION = Pattern.compile(
            "@(?:[\\w.]+\\.)?(Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate|ArchTest|Property|Example)\\b");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    private static final Pattern STRINGS = Pattern.compile("\"(?:\\\\.|[^\"\\\\\\n])*\"");
    private static final Pattern TESTS_COUNT = Pattern.compile("<testsuite\\b[^>]*?\\btests=\"(\\d+)\"");
    private static final List<String> REPORT_DIRS = List.of("target/surefire-reports", "target/failsafe-reports");

    private TestReportGuard() {
    }

    /**
     * {@code args[0]}: the project's base directory. Skipped (with a line saying so) when the run was
     * narrowed on purpose: {@code -Dtest}, {@code -Dit.test}, {@code -DskipTests}, {@code -DskipITs} or
     * {@code -Dmaven.test.skip}.
     */
    public static void main(String[] args) {
        check(Path.of(args.length > 0 ? args[0] : "."), System::getProperty);
    }

    /** The check, with the build's properties given: throws when a test class has no report. */
    static void check(Path base, UnaryOperator<String> properties) {
        Optional<String> narrowed = narrowedBy(properties);
        if (narrowed.isPresent()) {
            System.out.println("[test-report-guard] skipped: the run was narrowed by -D" + narrowed.get());
            return;
        }
        List<String> missing = missingReports(base);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("[test-report-guard] " + missing.size() + " test class(es) under src/test/java ran no test "
                    + "(no Surefire/Failsafe report with a test): " + String.join(", ", missing)
                    + ". Name test classes *Test (Surefire) or *IT (Failsafe).");
        }
        System.out.println("[test-report-guard] every test class under src/test/java has a report");
    }

    private static Optional<String> narrowedBy(UnaryOperator<String> properties) {
        for (String p : List.of("test", "it.test", "skipTests", "skipITs", "maven.test.skip")) {
            String v = properties.apply(p);
            if (v != null && !"false".equals(v)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The classes under {@code base/src/test/java} that declare a test but have no report with a test in it. */
    public static List<String> missingReports(Path base) {
        List<String> missing = new ArrayList<>();
        for (String testClass : testClasses(base.resolve("src/test/java"))) {
            if (!hasReport(base, testClass)) {
                missing.add(testClass);
            }
        }
        return missing;
    }

    /** Fully qualified names of the concrete top-level classes under {@code root} that declare a test. */
    static List<String> testClasses(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            List<String> classes = new ArrayList<>();
            files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(f -> declaredTestClass(f).ifPresent(classes::add));
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Optional<String> declaredTestClass(Path file) {
        String source = code(read(file));
        String name = file.getFileName().toString().replaceFirst("\\.java$", "");
        boolean isAbstract = Pattern.compile("\\babstract\\s+class\\s+" + Pattern.quote(name) + "\\b").matcher(source).find();
        if (isAbstract || !TEST_ANNOTATION.matcher(source).find()) {
            return Optional.empty();
        }
        Matcher pkg = PACKAGE.matcher(source);
        return Optional.of(pkg.find() ? pkg.group(1) + "." + name : name);
    }

    /** The source without comments and string literals, so that a test annotation in either does not count. */
    private static String code(String source) {
        return COMMENTS.matcher(STRINGS.matcher(source).replaceAll("\"\"")).replaceAll(" ");
    }

    static boolean hasReport(Path base, String testClass) {
        for (String dir : REPORT_DIRS) {
            Path reports = base.resolve(dir);
            if (!Files.isDirectory(reports)) {
                continue;
            }
            try (Stream<Path> files = Files.list(reports)) {
                if (files.filter(f -> isReportOf(f.getFileName().toString(), testClass)).anyMatch(TestReportGuard::countsATest)) {
                    return true;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return false;
    }

    private static boolean isReportOf(String fileName, String testClass) {
        return fileName.equals("TEST-" + testClass + ".xml") || (fileName.startsWith("TEST-" + testClass + "$") && fileName.endsWith(".xml"));
    }

    private static boolean countsATest(Path report) {
        Matcher m = TESTS_COUNT.matcher(read(report));
        return m.find() && Integer.parseInt(m.group(1)) > 0;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
