package dev.hostupiso.worker.hostup;

import dev.hostupiso.worker.job.HostUpPort;
import dev.hostupiso.worker.job.JobAccount;
import dev.hostupiso.worker.job.JobContext;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.IsoRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The HostUp port on HTTP: each call goes through the {@link RetryingCaller} (the account's rate
 * limiter, key state and retries) to the {@link HostUpApi} with the key of the job's {@link Account},
 * and is counted in the job's {@code apiCalls} as it is sent.
 */
@ApplicationScoped
public class HostUpCalls implements HostUpPort {

    private final HostUpApi client;
    private final RetryingCaller caller;
    private final AccountStep accounts;

    public HostUpCalls(HostUpApi client, RetryingCaller caller, AccountStep accounts) {
        this.client = client;
        this.caller = caller;
        this.accounts = accounts;
    }

    @Override
    public Uni<JobAccount> account(JobContext ctx) {
        return accounts.find(ctx).map(account -> account);
    }

    @Override
    public Uni<ApiResponse> fromUrl(JobContext ctx, Function<Function<String, Uni<ApiResponse>>, Uni<ApiResponse>> eachTry) {
        IsoRequest req = ctx.request();
        return caller.call(ctx, () -> eachTry.apply(url -> {
            ctx.counted(Endpoint.FROM_URL);
            return client.fromUrl(accountOf(ctx), req.vpsId(), url, req.filename(), req.decompress());
        }), Idempotency.NONE);
    }

    @Override
    public Uni<ApiResponse> job(JobContext ctx, String pollUrl) {
        return caller.call(ctx, () -> {
            ctx.counted(Endpoint.JOB);
            return client.job(accountOf(ctx), pollUrl);
        });
    }

    @Override
    public Uni<ApiResponse> isoLibrary(JobContext ctx) {
        return caller.call(ctx, () -> {
            ctx.counted(Endpoint.ISO_LIST);
            return client.isoLibrary(accountOf(ctx), ctx.request().vpsId());
        });
    }

    @Override
    public Uni<ApiResponse> mount(JobContext ctx, String isoId, String device,
                                  Function<Supplier<Uni<ApiResponse>>, Uni<ApiResponse>> eachTry) {
        return caller.call(ctx, () -> eachTry.apply(() -> {
            ctx.counted(Endpoint.MOUNT);
            return client.mount(accountOf(ctx), ctx.request().vpsId(), isoId, device);
        }), Idempotency.NONE);
    }

    /** The job's account: this adapter gave it out ({@link #account}), so it is one of its own. */
    static Account accountOf(JobContext ctx) {
        return (Account) ctx.account();
    }
}
