package dev.hostupiso.worker.bench;

import java.time.Duration;
import java.util.Locale;

/** The bench's knobs (environment variables, see {@code bench/run}) and its console. */
final class BenchEnv {

    private BenchEnv() {
    }

    static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v.trim();
    }

    static int envInt(String name, int def) {
        return Integer.parseInt(env(name, Integer.toString(def)));
    }

    static Duration envDuration(String name, String def) {
        String v = env(name, def).toLowerCase(Locale.ROOT);
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        switch (v.charAt(v.length() - 1)) {
            case 's':
                return Duration.ofSeconds(n);
            case 'm':
                return Duration.ofMinutes(n);
            case 'h':
                return Duration.ofHours(n);
            default:
                return Duration.ofSeconds(Long.parseLong(v));
        }
    }

    static void say(String s) {
        System.out.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + s);
        System.out.flush();
    }
}
