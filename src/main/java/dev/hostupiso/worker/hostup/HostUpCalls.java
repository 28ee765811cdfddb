package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostupiso.worker.job.HostUpPort;
import dev.hostupiso.worker.job.JobAccount;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Bounds;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.IsoLibrary;
import dev.hostupiso.worker.wire.IsoRequest;
import dev.hostupiso.worker.wire.JobStatus;
import dev.hostupiso.worker.wire.Problem;
import dev.hostupiso.worker.wire.RetryAfter;
import dev.hostupiso.worker.wire.TransportException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The HostUp port on HTTP: each call goes through the {@link RetryingCaller} (the account's rate
 * limiter, key state and retries) to the {@link HostUpApi} with the key of the job's {@link Account},
 * is counted in the job's {@code apiCalls} as it is sent, and its final answer is read here into the
 * port's typed answer: HostUp's JSON, its job envelopes and its problem answers are read by the adapter,
 * never by the core.
 */
@ApplicationScoped
public class HostUpCalls implements HostUpPort {

    /** Answers that prove HostUp did not act on a call (beyond 409 and 503, which depend on the body). */
    private static final Set<Integer> REFUSALS = Set.of(401, 403, 408, 429);

    private final HostUpApi client;
    private final RetryingCaller caller;
    private final AccountStep accounts;
    private final ObjectMapper mapper;
    private final Clock clock;

    public HostUpCalls(HostUpApi client, RetryingCaller caller, AccountStep accounts, ObjectMapper mapper, Clock clock) {
        this.client = client;
        this.caller = caller;
        this.accounts = accounts;
        this.mapper = mapper;
        this.clock = clock;
    }

    @Override
    public Uni<JobAccount> account(JobContext ctx) {
        return accounts.find(ctx).map(account -> account);
    }

    @Override
    public Uni<FromUrlAnswer> fromUrl(JobContext ctx, OnTheWire<String> wire) {
        IsoRequest req = ctx.request();
        return caller.call(ctx, () -> onTheWire(wire, url -> {
            ctx.counted(Endpoint.FROM_URL);
            return client.send(accountOf(ctx), fromUrlRequest(mapper, req.vpsId(), url, req.filename(), req.decompress()));
        }), Idempotency.NONE).map(this::fromUrlAnswer);
    }

    @Override
    public Uni<PollAnswer> job(JobContext ctx, String pollUrl) {
        return caller.call(ctx, () -> {
            ctx.counted(Endpoint.JOB);
            return client.send(accountOf(ctx), jobRequest(pollUrl));
        }).map(this::pollAnswer);
    }

    @Override
    public Uni<LibraryAnswer> isoLibrary(JobContext ctx) {
        return caller.call(ctx, () -> {
            ctx.counted(Endpoint.ISO_LIST);
            return client.send(accountOf(ctx), isoLibraryRequest(ctx.request().vpsId()));
        }).map(this::libraryAnswer);
    }

    @Override
    public Uni<MountAnswer> mount(JobContext ctx, String isoId, String device, OnTheWire<Void> wire) {
        return caller.call(ctx, () -> onTheWire(wire, x -> {
            ctx.counted(Endpoint.MOUNT);
            return client.send(accountOf(ctx), mountRequest(mapper, ctx.request().vpsId(), isoId, device));
        }), Idempotency.NONE).map(this::mountAnswer);
    }

    /** One try of a call that may act: {@code wire}'s step before it, and its refusal step after an answer proving HostUp did not act. */
    private <T> Uni<ApiResponse> onTheWire(OnTheWire<T> wire, Function<T, Uni<ApiResponse>> send) {
        return wire.beforeTry().onItem().transformToUni(sent -> send.apply(sent)
                .onItemOrFailure().transformToUni((response, failure) -> {
                    Uni<ApiResponse> same = failure != null ? Uni.createFrom().failure(failure) : Uni.createFrom().item(response);
                    return provesNothingDone(response, failure) ? wire.refused().onItem().transformToUni(x -> same) : same;
                }));
    }

    /**
     * Whether HostUp's answer (or the call's failure) shows that it did not act: 401, 403, 408, 429,
     * {@code 409 vps_not_ready}, HostUp's own 503, a connection never made.
     */
    private boolean provesNothingDone(ApiResponse response, Throwable failure) {
        if (failure != null) {
            return failure instanceof TransportException te && !te.mayHaveBeenSent();
        }
        int s = response.status();
        if (REFUSALS.contains(s)) {
            return true;
        }
        return (s == 409 || s == 503) && !response.mayHaveActed(ProblemJson.from(response, mapper));
    }

    private FromUrlAnswer fromUrlAnswer(ApiResponse r) {
        if (!r.isSuccess()) {
            return new Refused(ProblemJson.from(r, mapper));
        }
        Optional<JobStatus> op = JobStatusJson.parse(r.body(), mapper);
        if (r.status() == 200) {
            return new AlreadyThere(op.flatMap(JobStatus::jobId));
        }
        return op.<FromUrlAnswer>map(job -> new Accepted(r.status(), job, r.upstreamRequestId()))
                .orElseGet(() -> new NoJob(r.status(), r.upstreamRequestId()));
    }

    private PollAnswer pollAnswer(ApiResponse r) {
        if (r.status() == 404) {
            return new JobNotFound(ProblemJson.from(r, mapper), RetryAfter.of(r, clock.instant()));
        }
        if (!r.isSuccess()) {
            return new Refused(ProblemJson.from(r, mapper));
        }
        return new JobSeen(JobStatusJson.parse(r.body(), mapper), RetryAfter.of(r, clock.instant()), r.upstreamRequestId());
    }

    private LibraryAnswer libraryAnswer(ApiResponse r) {
        return r.isSuccess() ? new LibraryRead(IsoLibraryJson.parse(r.body(), mapper)) : new Refused(ProblemJson.from(r, mapper));
    }

    /** 200/201 (with or without a body), 204, or 202 with a job to poll (one already ended is read as its end). */
    private MountAnswer mountAnswer(ApiResponse r) {
        if (r.status() == 202) {
            Optional<JobStatus> op = JobStatusJson.parse(r.body(), mapper);
            Optional<String> pollUrl = op.flatMap(JobStatus::pollUrl)
                    .or(() -> op.flatMap(JobStatus::jobId).map(id -> "/api/jobs/" + id));
            if (op.isEmpty() || op.get().state() == JobStatus.State.COMPLETED || pollUrl.isEmpty()) {
                return new MountDone(mountedDevice(r.body()));
            }
            if (op.get().state() == JobStatus.State.FAILED) {
                return new MountJobFailed(op.get().failureDetail(), r.upstreamRequestId());
            }
            return new MountQueued(pollUrl.get());
        }
        if (r.isSuccess()) {
            return new MountDone(mountedDevice(r.body()));
        }
        return new Refused(ProblemJson.from(r, mapper));
    }

    /**
     * The drive a mount answer names; empty when absent, not a string, empty or longer than
     * {@link Bounds#MOUNT_DEVICE}. HostUp documents the mount endpoint but not its answer; unmount answers
     * {@code {"device":"ide2"}}, so {@code device} (or {@code data.device}) is read, and anything else ignored.
     */
    private Optional<String> mountedDevice(String body) {
        JsonNode root = JsonFields.readObject(body, mapper);
        if (root == null) {
            return Optional.empty();
        }
        JsonNode d = root.has("device") ? root.get("device") : root.path("data").get("device");
        return d != null && d.isTextual() && !d.asText().isEmpty() && d.asText().length() <= Bounds.MOUNT_DEVICE
                ? Optional.of(d.asText()) : Optional.empty();
    }

    /** {@code POST /api/v2/vps/{id}/iso/actions/from-url}. */
    static HostUpRequest fromUrlRequest(ObjectMapper mapper, String vpsId, String url, String filename, String decompress) {
        String body = mapper.createObjectNode().put("url", url).put("filename", filename).put("decompress", decompress).toString();
        return HostUpRequest.post(Endpoint.FROM_URL, vpsPath(vpsId) + "/iso/actions/from-url", body);
    }

    /** {@code GET {pollUrl}}: a path, or a URL on the API's own origin (the client refuses any other). */
    static HostUpRequest jobRequest(String pollUrl) {
        return HostUpRequest.get(Endpoint.JOB, pollUrl);
    }

    /**
     * {@code POST /api/v2/vps/{id}/iso/actions/mount} with {@code {"isoId", "device"}}; no {@code device} lets
     * HostUp choose. The body is inferred (HostUp documents the endpoint, not its body).
     */
    static HostUpRequest mountRequest(ObjectMapper mapper, String vpsId, String isoId, String device) {
        ObjectNode body = mapper.createObjectNode().put("isoId", isoId);
        if (device != null) {
            body.put("device", device);
        }
        return HostUpRequest.post(Endpoint.MOUNT, vpsPath(vpsId) + "/iso/actions/mount", body.toString());
    }

    /** {@code GET /api/v2/vps/{id}/iso}, also read by the key's scope check. */
    static HostUpRequest isoLibraryRequest(String vpsId) {
        return HostUpRequest.get(Endpoint.ISO_LIST, vpsPath(vpsId) + "/iso");
    }

    private static String vpsPath(String vpsId) {
        return "/api/v2/vps/" + HostUpRequest.encode(vpsId);
    }

    /** The job's account: this adapter gave it out ({@link #account}), so it is one of its own. */
    static Account accountOf(JobContext ctx) {
        return (Account) ctx.account();
    }
}
