package dev.hostupiso.worker.deploy;

import static dev.hostupiso.worker.deploy.Rendered.DOCKERFILE;
import static dev.hostupiso.worker.deploy.Rendered.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Integration test (failsafe, after {@code mvn package}): no Docker engine runs here, so this
 * checks what a {@code docker build -f src/main/docker/Dockerfile.jvm .} would copy exists.
 * {@code target/} in the Dockerfile is mapped to this build's output directory (which may be
 * moved with {@code -DbuildDir=...}), found from where this class was compiled to.
 */
class DockerfileIT {

    @Test
    @DisplayName("every path the Dockerfile copies from target/ exists after mvn package")
    void copiedPathsExist() throws Exception {
        Path buildDir = buildDirectory();
        List<String> sources = copySources();
        assertThat(sources).isNotEmpty();
        for (String source : sources) {
            assertThat(source).as("COPY only from target/").startsWith("target/");
            String relative = source.substring("target/".length());
            List<Path> matches = resolve(buildDir, relative);
            assertThat(matches).as("%s in %s", source, buildDir).isNotEmpty();
            if (source.endsWith("/")) {
                assertThat(matches).allMatch(Files::isDirectory);
                try (Stream<Path> content = Files.list(matches.get(0))) {
                    assertThat(content.findAny()).as("%s is not empty", source).isPresent();
                }
            }
        }
        assertThat(buildDir.resolve("quarkus-app/quarkus-run.jar")).isRegularFile();
    }

    /** Sources of every COPY without --from (flags skipped, the last argument is the destination). */
    static List<String> copySources() throws IOException {
        List<String> sources = new ArrayList<>();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            String l = line.strip();
            if (!l.startsWith("COPY ") || l.contains("--from")) {
                continue;
            }
            List<String> args = new ArrayList<>(Arrays.asList(l.substring(5).strip().split("\\s+")));
            args.removeIf(a -> a.startsWith("--"));
            sources.addAll(args.subList(0, args.size() - 1));
        }
        return sources;
    }

    static List<Path> resolve(Path buildDir, String relative) throws IOException {
        String clean = relative.endsWith("/") ? relative.substring(0, relative.length() - 1) : relative;
        if (!clean.contains("*")) {
            Path p = buildDir.resolve(clean);
            return Files.exists(p) ? List.of(p) : List.of();
        }
        Path dir = buildDir.resolve(clean.substring(0, clean.lastIndexOf('/')));
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + buildDir.resolve(clean));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(matcher::matches).toList();
        }
    }

    /** The build directory: the parent of test-classes, else target/ under the project root. */
    static Path buildDirectory() throws Exception {
        Path classes = Path.of(DockerfileIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (classes.getFileName() != null && classes.getFileName().toString().equals("test-classes")) {
            return classes.getParent();
        }
        return ROOT.resolve("target");
    }
}
