package dev.hostupiso.worker.wire;

import org.junit.jupiter.api.Test;

import java.util.Collections;

import static org.assertj.core.api.Assertions.assertThat;

class JobErrorTest {

    @Test
    void everyWayOfBuildingAnErrorIsBounded() {
        String big = "z".repeat(2_000_000);
        JobError failed = JobError.jobFailed(big, big);
        assertThat(failed.detail()).hasSize(Bounds.DETAIL).endsWith(Bounds.MARKER);
        assertThat(failed.upstreamRequestId()).hasSize(Bounds.UPSTREAM_REQUEST_ID);
        JobError raw = new JobError(big, big, big, 400, false, Collections.nCopies(10_000, new FieldError(big, big, big)), big);
        assertThat(raw.code()).hasSize(Bounds.CODE);
        assertThat(raw.title()).hasSize(Bounds.TITLE);
        assertThat(raw.errors()).hasSize(Bounds.ERRORS);
        assertThat(raw.errors().get(0).detail()).hasSize(Bounds.ERROR_DETAIL);
    }
}
