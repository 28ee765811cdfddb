package dev.hostupiso.worker.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The onion, as docs/design.md draws it: the job is the core, HostUp and Kafka are at the edges.
 * <ul>
 *   <li>{@code wire} (the records on the wire and their bounds) is the bottom: it imports no other package;</li>
 *   <li>{@code config}, {@code metrics} and {@code timing} are the shared kernel every ring may use; they import only the wire;</li>
 *   <li>{@code job} is the core, with its ports: it imports no adapter, and it reads no HTTP answer and no JSON (the
 *       HostUp port answers typed answers);</li>
 *   <li>the adapters ({@code hostup}, {@code ledger}, {@code intake}, {@code dispatch}, {@code preflight}, {@code health},
 *       {@code kafka}) implement or drive the core's ports;</li>
 *   <li>the programs (the simulator, the local stack, demo, sandbox, benchmarks, chaos soak, AOT training, test guard,
 *       each in its own source root) are outside the worker: the worker imports none of them, and the simulator, which
 *       stands in for HostUp, imports nothing of the worker.</li>
 * </ul>
 * No two packages depend on each other, programs included.
 */
class PackageDependencyTest {

    private static final String ROOT = "dev.hostupiso.worker";

    static final Set<String> BOTTOM = Set.of("wire");
    static final Set<String> KERNEL = Set.of("config", "metrics", "timing");
    static final String CORE = "job";
    static final Set<String> ADAPTERS = Set.of("hostup", "ledger", "intake", "dispatch", "preflight", "health", "kafka");

    private static JavaClasses production;
    private static JavaClasses programs;
    /** The worker and the programs together. */
    private static JavaClasses everything;

    @BeforeAll
    static void importClasses() throws IOException {
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        Set<String> programClasses = programClassFiles();
        ImportOption program = location -> programClasses.stream().anyMatch(c -> location.contains("/" + c + ".class")
                || location.contains("/" + c + "$"));
        programs = new ClassFileImporter().withImportOption(program).importPackages(ROOT);
        everything = new ClassFileImporter()
                .withImportOption(location -> ImportOption.Predefined.DO_NOT_INCLUDE_TESTS.includes(location)
                        || program.includes(location))
                .importPackages(ROOT);
    }

    @Test
    void everyProductionPackageHasARing() {
        List<String> unplaced = production.stream()
                .map(c -> c.getPackageName())
                .filter(p -> p.startsWith(ROOT + "."))
                .map(p -> p.substring(ROOT.length() + 1).split("\\.")[0])
                .distinct()
                .filter(p -> !BOTTOM.contains(p) && !KERNEL.contains(p) && !CORE.equals(p) && !ADAPTERS.contains(p))
                .toList();
        assertThat(unplaced).as("packages in no ring of the onion").isEmpty();
    }

    @Test
    void theWireImportsNoOtherPackage() {
        noClasses().that().resideInAnyPackage(packages(BOTTOM))
                .should().dependOnClassesThat().resideInAnyPackage(packages(union(KERNEL, Set.of(CORE), ADAPTERS)))
                .check(production);
    }

    @Test
    void theKernelImportsOnlyTheWire() {
        noClasses().that().resideInAnyPackage(packages(KERNEL))
                .should().dependOnClassesThat().resideInAnyPackage(packages(union(Set.of(CORE), ADAPTERS)))
                .check(production);
    }

    @Test
    void theCoreImportsNoAdapter() {
        noClasses().that().resideInAPackage(ROOT + "." + CORE + "..")
                .should().dependOnClassesThat().resideInAnyPackage(packages(ADAPTERS))
                .check(production);
    }

    /** The core sees HostUp only through its port's typed answers: the adapter reads HTTP answers and their JSON. */
    @Test
    void theCoreReadsNoHttpAnswerAndNoJson() {
        noClasses().that().resideInAPackage(ROOT + "." + CORE + "..")
                .should().dependOnClassesThat().haveFullyQualifiedName(ROOT + ".wire.ApiResponse")
                .orShould().dependOnClassesThat().resideInAPackage("com.fasterxml.jackson..")
                .check(production);
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(production);
    }

    @Test
    void programsAreFoundInTheirSourceRoots() {
        assertThat(programs.stream().map(c -> c.getPackageName()).distinct().toList())
                .as("program packages").contains(ROOT + ".simulator", ROOT + ".localstack", ROOT + ".bench", ROOT + ".chaos",
                        ROOT + ".demo");
    }

    @Test
    void theWorkerImportsNoProgram() {
        String[] programPackages = programs.stream().map(c -> c.getPackageName()).distinct()
                .filter(p -> production.stream().noneMatch(c -> c.getPackageName().equals(p)))
                .toArray(String[]::new);
        noClasses().should().dependOnClassesThat().resideInAnyPackage(programPackages).check(production);
    }

    @Test
    void theSimulatorImportsNothingOfTheWorker() {
        String[] worker = production.stream().map(c -> c.getPackageName()).distinct().toArray(String[]::new);
        noClasses().that().resideInAPackage(ROOT + ".simulator..")
                .should().dependOnClassesThat().resideInAnyPackage(worker)
                .allowEmptyShould(false)
                .check(programs);
    }

    @Test
    void programsAndWorkerAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(everything);
    }

    /** The class files of the program source roots that the pom adds to the test sources, as paths without {@code .class}. */
    private static Set<String> programClassFiles() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher execution = Pattern.compile("<id>program-sources</id>(.*?)</execution>", Pattern.DOTALL).matcher(pom);
        assertThat(execution.find()).as("the pom's program-sources execution").isTrue();
        Matcher source = Pattern.compile("<source>([^<]+)</source>").matcher(execution.group(1));
        Set<String> classes = new HashSet<>();
        while (source.find()) {
            Path root = Path.of(source.group(1).trim());
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(f -> f.toString().endsWith(".java"))
                        .map(f -> root.relativize(f).toString().replace('\\', '/').replaceAll("\\.java$", ""))
                        .forEach(classes::add);
            }
        }
        return classes;
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return all;
    }

    private static String[] packages(Set<String> names) {
        return names.stream().map(n -> ROOT + "." + n + "..").toArray(String[]::new);
    }
}
