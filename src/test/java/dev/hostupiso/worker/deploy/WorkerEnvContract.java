package dev.hostupiso.worker.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment variables the worker reads, as docs/configuration.md documents them under
 * "# Configuration": the backticked name in the first column of its table (with the default in the
 * second column), the Kafka security variables named in the paragraph below the table, and
 * {@code JAVA_OPTS} (read by the container's launcher, not by the worker itself).
 */
record WorkerEnvContract(Set<String> names, Map<String, String> defaults) {

    private static final Pattern ENV_NAME = Pattern.compile("`([A-Z][A-Z0-9_]*)`");
    private static final Pattern SINGLE_BACKTICKED = Pattern.compile("^`([^`]+)`$");
    /** Read by the image's entrypoint ({@code src/main/docker/Dockerfile.jvm}), documented with the Dockerfile. */
    static final String JAVA_OPTS = "JAVA_OPTS";

    static WorkerEnvContract read(Path readme) {
        String text;
        try {
            text = Files.readString(readme);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> section = section(text.lines().toList(), "# Configuration");
        Set<String> names = new TreeSet<>();
        Map<String, String> defaults = new LinkedHashMap<>();

        // The first table of the section: | `NAME` (`property`) | `default` | meaning |
        int i = 0;
        while (i < section.size() && !section.get(i).startsWith("|")) {
            i++;
        }
        if (i + 2 >= section.size()) {
            throw new IllegalStateException("no configuration table under '# Configuration' in " + readme);
        }
        for (i += 2; i < section.size() && section.get(i).startsWith("|"); i++) { // skip header and |---| rows
            String[] cells = section.get(i).split("\\|", -1);
            Matcher name = ENV_NAME.matcher(cells[1].strip());
            if (!name.find() || name.start() != 0) {
                throw new IllegalStateException("configuration row without a backticked env name first: " + section.get(i));
            }
            names.add(name.group(1));
            Matcher value = SINGLE_BACKTICKED.matcher(cells[2].strip());
            if (value.matches()) {
                defaults.put(name.group(1), value.group(1));
            }
        }

        // The paragraph after the table that lists the Kafka security variables.
        String paragraph = paragraphStartingWith(section.subList(i, section.size()), "Kafka security");
        Matcher kafka = ENV_NAME.matcher(paragraph);
        while (kafka.find()) {
            if (kafka.group(1).startsWith("KAFKA_")) {
                names.add(kafka.group(1));
            }
        }
        names.add(JAVA_OPTS);
        return new WorkerEnvContract(Collections.unmodifiableSet(names), Collections.unmodifiableMap(defaults));
    }

    /** Lines after {@code heading} up to the next heading of the same or a higher level. */
    private static List<String> section(List<String> lines, String heading) {
        int start = lines.indexOf(heading);
        if (start < 0) {
            throw new IllegalStateException("the configuration document has no '" + heading + "' section");
        }
        int end = start + 1;
        while (end < lines.size() && !lines.get(end).startsWith("## ") && !lines.get(end).startsWith("# ")) {
            end++;
        }
        return lines.subList(start + 1, end);
    }

    private static String paragraphStartingWith(List<String> lines, String prefix) {
        StringBuilder paragraph = new StringBuilder();
        for (String line : lines) {
            if (paragraph.length() == 0) {
                if (line.startsWith(prefix)) {
                    paragraph.append(line);
                }
            } else if (line.isBlank() || line.startsWith("#")) {
                break;
            } else {
                paragraph.append(' ').append(line);
            }
        }
        if (paragraph.length() == 0) {
            throw new IllegalStateException("no paragraph starting with '" + prefix + "' under '## Configuration'");
        }
        return paragraph.toString();
    }
}
