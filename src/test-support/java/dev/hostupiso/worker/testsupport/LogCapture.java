package dev.hostupiso.worker.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Captures every log line of the test JVM (root handler), formatted as it would be printed. */
public final class LogCapture extends Handler {

    private static final LogCapture INSTANCE = new LogCapture();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final SimpleFormatter formatter = new SimpleFormatter();

    public static synchronized void install() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            if (h == INSTANCE) {
                return;
            }
        }
        root.addHandler(INSTANCE);
    }

    public static List<String> lines() {
        return List.copyOf(INSTANCE.lines);
    }

    @Override
    public void publish(LogRecord record) {
        String line = formatter.format(record);
        lines.add(line);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
