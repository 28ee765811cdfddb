package dev.hostupiso.worker.job;

import dev.hostupiso.worker.wire.IsoRequest;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/** Lines about a request carry requestId, jobId and vpsId as MDC fields, and leave the thread's MDC as it was. */
class JobLogTest {

    private static final String CATEGORY = "dev.hostupiso.worker.job.JobLogTest";
    private final List<ExtLogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            ExtLogRecord r = ExtLogRecord.wrap(record);
            r.copyMdc(); // as an async handler would: the MDC must be there while the line is written
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @AfterEach
    void detach() {
        java.util.logging.Logger.getLogger(CATEGORY).removeHandler(capture);
        MDC.clear();
    }

    @Test
    void aLineAboutARequestCarriesItsIdsAsFieldsAndRestoresTheMdc() {
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(CATEGORY);
        jul.setLevel(Level.ALL);
        jul.addHandler(capture);
        JobContext ctx = new JobContext(new IsoRequest("r-7", "vps_9", "https://h/x.iso", "x.iso", "none"), Instant.now(),
                Instant.now().plusSeconds(60), 0, 1);
        ctx.submission(s -> s.withJob("job_3"));
        MDC.put("requestId", "someone-else");

        JobLog.info(Logger.getLogger(CATEGORY), ctx, "queued, polling %s", "/api/jobs/job_3");

        assertThat(records).hasSize(1);
        ExtLogRecord r = records.get(0);
        assertThat(r.getFormattedMessage()).isEqualTo("requestId=r-7 jobId=job_3 queued, polling /api/jobs/job_3");
        assertThat(r.getMdc("requestId")).isEqualTo("r-7");
        assertThat(r.getMdc("jobId")).isEqualTo("job_3");
        assertThat(r.getMdc("vpsId")).isEqualTo("vps_9");
        assertThat(MDC.get("requestId")).as("the thread's own value is back").isEqualTo("someone-else");
        assertThat(MDC.get("jobId")).as("nothing left behind for the next job on the thread").isNull();
        assertThat(MDC.get("vpsId")).isNull();
    }
}
