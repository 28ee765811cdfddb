package dev.hostupiso.worker.job;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Log lines about one request: the text starts with {@code requestId=… jobId=…} as before, and
 * while the line is written {@code requestId}, {@code jobId} and {@code vpsId} are in the MDC, so
 * JSON logs carry them as fields. Jobs share Vert.x event-loop threads, so the MDC is set for the
 * one call and restored right after, never left behind for the next job on the thread.
 */
public final class JobLog {

    private static final String[] KEYS = {"requestId", "jobId", "vpsId"};

    private JobLog() {
    }

    public static void debug(Logger log, JobContext ctx, String format, Object... params) {
        write(log, Logger.Level.DEBUG, null, ctx, format, params);
    }

    public static void info(Logger log, JobContext ctx, String format, Object... params) {
        write(log, Logger.Level.INFO, null, ctx, format, params);
    }

    public static void warn(Logger log, JobContext ctx, String format, Object... params) {
        write(log, Logger.Level.WARN, null, ctx, format, params);
    }

    public static void error(Logger log, Throwable failure, JobContext ctx, String format, Object... params) {
        write(log, Logger.Level.ERROR, failure, ctx, format, params);
    }

    private static void write(Logger log, Logger.Level level, Throwable failure, JobContext ctx, String format,
                              Object[] params) {
        if (!log.isEnabled(level)) {
            return;
        }
        Object[] saved = new Object[KEYS.length];
        for (int i = 0; i < KEYS.length; i++) {
            saved[i] = MDC.get(KEYS[i]);
        }
        try {
            put("requestId", ctx.request().requestId());
            put("jobId", ctx.jobId());
            put("vpsId", ctx.request().vpsId());
            Object[] withTag = new Object[params.length + 1];
            withTag[0] = ctx.tag();
            System.arraycopy(params, 0, withTag, 1, params.length);
            log.logf(level, failure, "%s " + format, withTag);
        } finally {
            for (int i = 0; i < KEYS.length; i++) {
                put(KEYS[i], saved[i]);
            }
        }
    }

    private static void put(String key, Object value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
