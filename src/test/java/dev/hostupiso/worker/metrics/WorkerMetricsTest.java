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
                .containsExactlyInAnyOrder("other", "forbidden", "none", "poison");
        assertThat(registry.find(WorkerMetrics.REQUESTS).tag("code", "other").counter().count()).isEqualTo(100);
    }

    @Test
    void callsPerJobAreRecordedByEndpoint() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WorkerMetrics metrics = new WorkerMetrics(registry);
        metrics.jobApiCalls("default", 1, 6, 2, 0);
        metrics.jobApiCalls("default", 2, 4, 1, 0);

        assertThat(registry.find(WorkerMetrics.JOB_API_CALLS).tag("endpoint", "job").summary().totalAmount()).isEqualTo(10);
        assertThat(registry.find(WorkerMetrics.JOB_API_CALLS).tag("endpoint", "iso_list").summary().count()).isEqualTo(2);
        assertThat(registry.find(WorkerMetrics.JOB_API_CALLS).summaries()).extracting(s -> s.getId().getTag("endpoint"))
                .containsExactlyInAnyOrderElementsOf(WorkerMetrics.JOB_CALL_ENDPOINTS);
    }

    @Test
    void callsPerJobAreLabelledWithTheAccountWhoseKeyPaid() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WorkerMetrics metrics = new WorkerMetrics(registry);
        metrics.jobApiCalls(WorkerMetrics.accountLabel("team-a", true), 1, 3, 1, 0);
        metrics.jobApiCalls(WorkerMetrics.accountLabel(null, true), 1, 2, 1, 0);
        for (int i = 0; i < 50; i++) {
            metrics.jobApiCalls(WorkerMetrics.accountLabel("no-such-team-" + i, false), 0, 0, 0, 0);
        }

        assertThat(registry.find(WorkerMetrics.JOB_API_CALLS).tag("account", "team-a").tag("endpoint", "job").summary()
                .totalAmount()).isEqualTo(3);
        assertThat(registry.find(WorkerMetrics.JOB_API_CALLS).tag("account", "default").tag("endpoint", "job").summary()
                .totalAmount()).isEqualTo(2);
        assertThat(registry.find(WorkerMetrics.JOB_API_CALLS).summaries()).extracting(s -> s.getId().getTag("account"))
                .as("accounts the worker holds no key for share one label").containsOnly("team-a", "default", "other");
    }

    /**
     * Alerts use increase() on these counters: a series that appears at 1 (created by its first
     * increment) shows no increase, so a pod's first dead letter would go unseen.
     */
    @Test
    void deadLettersAndCompletionsStartAtZeroBeforeTheFirstRequest() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new WorkerMetrics(registry);

        assertThat(registry.find(WorkerMetrics.REQUESTS).tag("outcome", "dead_lettered").tag("code", "poison").counter())
                .as("the code the consumer counts dead letters with").isNotNull()
                .satisfies(c -> assertThat(c.count()).isZero());
        assertThat(registry.find(WorkerMetrics.REQUESTS).tag("outcome", "completed").tag("code", "none").counter()).isNotNull();
    }
}
