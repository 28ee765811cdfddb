package dev.hostupiso.worker.simulator;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/** The VPSs the simulator knows, registered by a test or, on first use, by the scenarios hook. */
final class VpsDirectory {

    private final Map<String, VpsScript> vpss = new ConcurrentHashMap<>();
    private final boolean stockIsos;
    private volatile Function<String, Consumer<VpsScript>> scenarios;

    VpsDirectory(boolean stockIsos) {
        this.stockIsos = stockIsos;
    }

    /** Registers the VPS (idempotent) and returns its script. */
    VpsScript register(String vpsId) {
        Objects.requireNonNull(vpsId, "vpsId");
        return vpss.computeIfAbsent(vpsId, id -> new VpsScript(id, stockIsos));
    }

    void scenarios(Function<String, Consumer<VpsScript>> scenarios) {
        this.scenarios = scenarios;
    }

    /** The registered VPS, or null. */
    VpsScript registered(String vpsId) {
        return vpss.get(vpsId);
    }

    /** The registered VPS, or one registered now by the scenarios hook; null if neither. */
    VpsScript lookup(String vpsId) {
        VpsScript known = vpss.get(vpsId);
        Function<String, Consumer<VpsScript>> s = scenarios;
        if (known != null || s == null) {
            return known;
        }
        Consumer<VpsScript> setup = s.apply(vpsId);
        if (setup == null) {
            return null;
        }
        return vpss.computeIfAbsent(vpsId, id -> {
            VpsScript script = new VpsScript(id, stockIsos);
            setup.accept(script);
            return script;
        });
    }

    /** The registered VPSs the key may use (not {@link VpsScript#forbidden()}), sorted by id. */
    java.util.List<String> usable() {
        return vpss.values().stream().filter(v -> !v.isForbidden()).map(VpsScript::vpsId).sorted().toList();
    }

    int size() {
        return vpss.size();
    }

    void clear() {
        vpss.clear();
    }
}
