package dev.hostupiso.worker.aot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a JDK that can record and use an AOT cache (25 or later; 24's cache format differs):
 * {@code AOT_JAVA_HOME} if set, else the running JDK if recent enough, else the newest under
 * {@code /usr/lib/jvm}. The build itself runs on Java 17, so tests and benchmarks look for one.
 */
public final class AotJdk {

    public static final int MIN_FEATURE = 25;
    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    private AotJdk() {
    }

    public static Optional<Path> find() {
        String configured = System.getenv("AOT_JAVA_HOME");
        if (configured != null && !configured.isBlank()) {
            Path home = Path.of(configured);
            if (feature(home) < MIN_FEATURE) {
                throw new IllegalStateException("AOT_JAVA_HOME=" + configured + " is not a JDK " + MIN_FEATURE + " or later");
            }
            return Optional.of(home);
        }
        if (Runtime.version().feature() >= MIN_FEATURE) {
            return Optional.of(Path.of(System.getProperty("java.home")));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(h -> Files.isExecutable(h.resolve("bin/java")) && feature(h) >= MIN_FEATURE)
                    .max(Comparator.comparingInt(AotJdk::feature));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The feature version in {@code <home>/release}, or 0 when unreadable. */
    public static int feature(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
