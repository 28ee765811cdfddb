package dev.hostupiso.worker.testsupport;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.stream.Stream;

/**
 * For the process tests: the worker, broker and simulator logs stay in their files under {@code target/it}
 * while a test passes; when it fails, the failure carries the last lines of every log the test wrote,
 * so the build output shows them for that test alone. ({@code @ExtendWith(WorkerLogsOnFailure.class)})
 */
public final class WorkerLogsOnFailure implements BeforeEachCallback, TestExecutionExceptionHandler {

    /** Lines kept from the end of each log. */
    static final int TAIL = 80;
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(WorkerLogsOnFailure.class);

    private final Path root;

    public WorkerLogsOnFailure() {
        this(Path.of("target", "it"));
    }

    WorkerLogsOnFailure(Path root) {
        this.root = root;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("start", System.currentTimeMillis());
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        Long start = context.getStore(NS).get("start", Long.class);
        throw withLogs(failure, start == null ? 0 : start);
    }

    /** {@code failure} with the tails of the logs written since {@code sinceMillis}; itself when there are none. */
    Throwable withLogs(Throwable failure, long sinceMillis) {
        String tails = tails(sinceMillis);
        if (tails.isEmpty()) {
            return failure;
        }
        AssertionError withLogs = new AssertionError(failure + "\n" + tails, failure);
        withLogs.setStackTrace(failure.getStackTrace());
        return withLogs;
    }

    /** The last {@link #TAIL} lines of each {@code *.log} under the root written since {@code sinceMillis}. */
    String tails(long sinceMillis) {
        if (!Files.isDirectory(root)) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path log : files.filter(f -> f.toString().endsWith(".log") && modifiedSince(f, sinceMillis)).sorted().toList()) {
                List<String> lines = lastLines(log);
                out.append("---- last ").append(lines.size()).append(" lines of ").append(log).append(" ----\n");
                lines.forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            return "(logs under " + root + " unreadable: " + e + ")";
        }
        return out.toString();
    }

    private static boolean modifiedSince(Path file, long sinceMillis) {
        try {
            return Files.getLastModifiedTime(file).toMillis() >= sinceMillis;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> lastLines(Path log) {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            ArrayDeque<String> last = new ArrayDeque<>();
            lines.forEach(l -> {
                last.addLast(l);
                if (last.size() > TAIL) {
                    last.removeFirst();
                }
            });
            return List.copyOf(last);
        } catch (IOException | UncheckedIOException e) {
            return List.of("(unreadable: " + e + ")");
        }
    }
}
