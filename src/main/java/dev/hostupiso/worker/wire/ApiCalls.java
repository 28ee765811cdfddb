package dev.hostupiso.worker.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * HostUp API calls one request cost, by endpoint: what the key's rate budget paid for it. Counted
 * in the job ledger, so calls made before a crash or hand-over are included.
 */
@JsonIgnoreProperties(value = "total", allowGetters = true) // derived: written, not read
public record ApiCalls(int fromUrl, int job, int isoList, int mount) {

    public static final ApiCalls NONE = new ApiCalls(0, 0, 0, 0);

    public ApiCalls {
        if (fromUrl < 0 || job < 0 || isoList < 0 || mount < 0) {
            throw new IllegalArgumentException("call counts cannot be negative");
        }
    }

    /** These counts and one more call to {@code endpoint} (the key's own probes are not a request's). */
    public ApiCalls plus(Endpoint endpoint) {
        return switch (endpoint) {
            case FROM_URL -> new ApiCalls(fromUrl + 1, job, isoList, mount);
            case JOB -> new ApiCalls(fromUrl, job + 1, isoList, mount);
            case ISO_LIST -> new ApiCalls(fromUrl, job, isoList + 1, mount);
            case MOUNT -> new ApiCalls(fromUrl, job, isoList, mount + 1);
            case VPS_LIST -> this;
        };
    }

    @JsonProperty("total")
    public int total() {
        return fromUrl + job + isoList + mount;
    }
}
