package dev.hostupiso.worker.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's packages form one direction, top to bottom, as docs/design.md's package map says: a
 * package may use only packages on a lower level. Peers on one level do not use each other.
 */
class PackageDependencyTest {

    private static final String ROOT = "dev.hostupiso.worker";

    /** Levels, top first; docs/design.md's package map describes the same order. */
    static final List<List<String>> LEVELS = List.of(
            List.of("intake", "health"),
            List.of("dispatch"),
            List.of("ledger"),
            List.of("job"),
            List.of("preflight"),
            List.of("hostup"),
            List.of("kafka", "metrics", "timing"),
            List.of("config"),
            List.of("wire"));

    private static JavaClasses production;

    @BeforeAll
    static void importClasses() {
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void everyProductionPackageHasALevel() {
        Map<String, Integer> level = levels();
        List<String> unplaced = production.stream()
                .map(c -> c.getPackageName())
                .filter(p -> p.startsWith(ROOT + "."))
                .map(p -> p.substring(ROOT.length() + 1).split("\\.")[0])
                .distinct()
                .filter(p -> !level.containsKey(p))
                .toList();
        assertThat(unplaced).as("packages missing from the level map").isEmpty();
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(production);
    }

    @Test
    void packagesUseOnlyLowerLevels() {
        Map<String, Integer> level = levels();
        for (Map.Entry<String, Integer> e : level.entrySet()) {
            String[] forbidden = level.entrySet().stream()
                    .filter(other -> other.getValue() <= e.getValue() && !other.getKey().equals(e.getKey()))
                    .map(other -> ROOT + "." + other.getKey() + "..")
                    .toArray(String[]::new);
            ArchRule rule = noClasses().that().resideInAPackage(ROOT + "." + e.getKey() + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                    .allowEmptyShould(true);
            rule.check(production);
        }
    }

    private static Map<String, Integer> levels() {
        Map<String, Integer> level = new LinkedHashMap<>();
        for (int i = 0; i < LEVELS.size(); i++) {
            for (String p : LEVELS.get(i)) {
                level.put(p, i);
            }
        }
        return level;
    }
}
