package dev.hostupiso.worker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.logging.Level;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.MDC;
import org.jboss.logmanager.formatters.JsonFormatter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** JSON console logs: off by default, on with one environment variable, MDC entries as fields. */
class JsonLogsConfigTest {

    static final String PROPERTY = "quarkus.log.console.json.enabled";
    static final String ENV = "QUARKUS_LOG_CONSOLE_JSON_ENABLED";

    static SmallRyeConfig config(Map<String, String> env) throws Exception {
        URL properties = Rendered.ROOT.resolve("src/main/resources/application.properties").toUri().toURL();
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, 250))
                .withSources(new EnvConfigSource(env, 300))
                .build();
    }

    @Test
    @DisplayName("JSON logs are off by default and on with QUARKUS_LOG_CONSOLE_JSON_ENABLED=true")
    void switchedByEnvironment() throws Exception {
        assertThat(config(Map.of()).getValue(PROPERTY, Boolean.class)).isFalse();
        assertThat(config(Map.of(ENV, "true")).getValue(PROPERTY, Boolean.class)).isTrue();
    }

    @Test
    @DisplayName("the quarkus-logging-json extension on the class path reads that property at run time")
    void extensionKnowsTheProperty() throws Exception {
        boolean declared = false;
        for (URL model : Collections.list(getClass().getClassLoader().getResources("META-INF/quarkus-config-doc/quarkus-config-model.json"))) {
            try (InputStream in = model.openStream()) {
                String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (json.contains("\"property\" : \"" + PROPERTY + "\"") || json.contains("\"property\":\"" + PROPERTY + "\"")) {
                    declared = model.toString().contains("quarkus-logging-json");
                    assertThat(json).contains("\"environmentVariable\" : \"" + ENV + "\"");
                }
            }
        }
        assertThat(declared).as("%s declared by quarkus-logging-json", PROPERTY).isTrue();
    }

    @Test
    @DisplayName("the JSON formatter writes the MDC's requestId, jobId and vpsId as fields of the record")
    void mdcBecomesFields() throws Exception {
        ExtLogRecord record = new ExtLogRecord(Level.INFO, "job finished", ExtLogRecord.FormatStyle.NO_FORMAT, getClass().getName());
        record.setLoggerName("dev.hostupiso.worker.job");
        MDC.put("requestId", "req-1");
        MDC.put("jobId", "job-7");
        MDC.put("vpsId", "vps_abc");
        try {
            record.copyMdc();
        } finally {
            MDC.clear();
        }
        JsonNode line = Rendered.JSON.readTree(new JsonFormatter().format(record));
        assertThat(line.path("message").asText()).isEqualTo("job finished");
        assertThat(line.at("/mdc/requestId").asText()).isEqualTo("req-1");
        assertThat(line.at("/mdc/jobId").asText()).isEqualTo("job-7");
        assertThat(line.at("/mdc/vpsId").asText()).isEqualTo("vps_abc");
    }
}
