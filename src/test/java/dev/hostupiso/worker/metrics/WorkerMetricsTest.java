package dev.hostupiso.worker.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerMetricsTest {

    @Test
    void serverSuppliedCodesCannotCreateNewSeries() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WorkerMetrics metrics = new WorkerMetrics(registry);
        for (int i = 0; i < 100; i++) {
            metrics.requestFinished("failed", "weird_code_" + i);
        }
        metrics.requestFinished("failed", "forbidden");
        metrics.requestFinished("completed", null);

        assertThat(registry.find(WorkerMetrics.REQUESTS).counters())
                .extracting(c -> c.getId().getTag("code"))
                .containsExactlyInAnyOrder("other", "forbidden", "none");
        assertThat(registry.find(WorkerMetrics.REQUESTS).tag("code", "other").counter().count()).isEqualTo(100);
    }

    @Test
    void callsPerJobAreRecordedByEndpoint() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WorkerMetrics metrics = new WorkerMetrics(registry);
        metrics.jobApiCalls(1, 6, 2, 0);
        metrics.jobApiCalls(2, 4, 1, 0);

        assertThat(registry.find(WorkerMetrics.JOB_API_CALLS).tag("endpoint", "job").summary().totalAmount()).isEqualTo(10);
        assertThat(registry.find(WorkerMetrics.JOB_API_CALLS).tag("endpoint", "iso_list").summary().count()).isEqualTo(2);
        assertThat(registry.find(WorkerMetrics.JOB_API_CALLS).summaries()).extracting(s -> s.getId().getTag("endpoint"))
                .containsExactlyInAnyOrderElementsOf(WorkerMetrics.JOB_CALL_ENDPOINTS);
    }
}
