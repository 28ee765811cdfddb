package dev.hostupiso.worker.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.hostupiso.worker.deploy.Rendered.DASHBOARD;
import static dev.hostupiso.worker.deploy.Rendered.JSON;

/** The Grafana dashboard's PromQL expressions, with its variables replaced as Grafana would. */
final class DashboardQueries {

    private DashboardQueries() {
    }

    record Panel(String title, String expr) {
    }

    /** Every {@code targets[].expr} of every panel, rows' nested panels included. */
    static List<Panel> expressions() throws IOException {
        List<Panel> out = new ArrayList<>();
        collect(JSON.readTree(DASHBOARD.toFile()).path("panels"), out);
        return out;
    }

    private static void collect(JsonNode panels, List<Panel> out) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr") && !target.path("hide").asBoolean(false)) {
                    out.add(new Panel(panel.path("title").asText(), target.get("expr").asText()));
                }
            }
            collect(panel.path("panels"), out);
        }
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)");

    /** Replaces Grafana's variables the way Grafana would before sending the query to Prometheus. */
    static String substitute(String expr, Map<String, String> vars) {
        Map<String, String> all = new LinkedHashMap<>(vars);
        all.put("__rate_interval", "1m");
        all.put("__interval", "15s");
        all.put("__range", "5m");
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = all.get(name);
            if (value == null) {
                throw new AssertionError("dashboard expression uses unknown variable $" + name + ": " + expr);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
