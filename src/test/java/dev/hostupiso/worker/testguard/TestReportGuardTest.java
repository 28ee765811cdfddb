package dev.hostupiso.worker.testguard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The build guard on a fixture project: every class that declares a test needs a report that counts one. */
class TestReportGuardTest {

    /** A full run: no -Dtest, -Dit.test nor skip flag. */
    private static final UnaryOperator<String> NOT_NARROWED = name -> null;

    @TempDir
    Path project;

    @Test
    void aTestClassWithoutAReportIsNamedAndFailsTheBuild() throws IOException {
        source("a/RanTest.java", "package a;\nclass RanTest {\n  @Test void t() {}\n}\n");
        source("a/LedgerProperties.java", "package a;\nclass LedgerProperties {\n  @Property void p() {}\n}\n");
        source("a/b/ProcessIT.java", "package a.b;\nclass ProcessIT {\n  @org.junit.jupiter.api.Test void t() {}\n}\n");
        report("surefire-reports", "a.RanTest", 1);
        report("failsafe-reports", "a.b.ProcessIT", 2);

        assertThat(TestReportGuard.missingReports(project)).containsExactly("a.LedgerProperties");
        assertThatThrownBy(() -> TestReportGuard.check(project, NOT_NARROWED))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("a.LedgerProperties").hasMessageNotContaining("RanTest");
    }

    @Test
    void everyEngineAndAnnotationCounts() throws IOException {
        String[] annotations = {"@Test", "@ParameterizedTest", "@RepeatedTest(3)", "@TestFactory", "@TestTemplate", "@ArchTest",
            "@Property(tries = 10)", "@Example", "@org.junit.Test"};
        for (int i = 0; i < annotations.length; i++) {
            source("p/C" + i + ".java", "package p;\n\nclass C" + i + " {\n    " + annotations[i] + "\n    void t() {}\n}\n");
        }
        assertThat(TestReportGuard.missingReports(project)).hasSize(annotations.length);
    }

    @Test
    void helpersAbstractBasesAndMentionsInCommentsOrStringsAreNotTestClasses() throws IOException {
        source("h/Helper.java", "package h;\n/** Used by each @Test of ... */\nclass Helper {\n  // @Test\n  String s = \"@Test\";\n"
                + "  @TestProfile(X.class) void notATest() {}\n}\n");
        source("h/Base.java", "package h;\npublic abstract class Base {\n  @Test void inherited() {}\n}\n");
        assertThat(TestReportGuard.missingReports(project)).isEmpty();
    }

    @Test
    void aReportThatRanNoTestDoesNotCount() throws IOException {
        source("a/EmptyTest.java", "package a;\nclass EmptyTest {\n  @Test void t() {}\n}\n");
        report("surefire-reports", "a.EmptyTest", 0);
        assertThat(TestReportGuard.missingReports(project)).containsExactly("a.EmptyTest");
    }

    @Test
    void aReportOfANestedClassCountsForItsOuterClass() throws IOException {
        source("a/OuterTest.java", "package a;\nclass OuterTest {\n  @Nested class Inner {\n    @Test void t() {}\n  }\n}\n");
        report("surefire-reports", "a.OuterTest$Inner", 1);
        assertThat(TestReportGuard.missingReports(project)).isEmpty();
    }

    @Test
    void aNarrowedRunIsNotJudged() throws IOException {
        source("a/LedgerProperties.java", "package a;\nclass LedgerProperties {\n  @Property void p() {}\n}\n");
        TestReportGuard.check(project, Map.of("it.test", "SomeIT")::get); // no exception
        TestReportGuard.check(project, Map.of("skipTests", "true")::get);
        assertThatThrownBy(() -> TestReportGuard.check(project, Map.of("skipTests", "false")::get))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TestReportGuard.check(project, NOT_NARROWED)).isInstanceOf(IllegalStateException.class);
    }

    private void source(String path, String text) throws IOException {
        Path file = project.resolve("src/test/java").resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private void report(String dir, String testClass, int tests) throws IOException {
        Path file = project.resolve("target").resolve(dir).resolve("TEST-" + testClass + ".xml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite xmlns:xsi=\"x\" name=\"" + testClass
                + "\" time=\"0.1\" tests=\"" + tests + "\" errors=\"0\" skipped=\"0\" failures=\"0\">\n</testsuite>\n");
    }
}
