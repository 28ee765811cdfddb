package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.timing.AsyncLoop;
import dev.hostupiso.worker.timing.Delays;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Endpoint;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks HostUp about a key with a call that depends on no request: {@code GET /api/v2/vps}, the VPSs
 * the key may use.
 * <ul>
 * <li>{@link #classify}: a 403 for one VPS. The list refused too (401/403) is the key's problem and
 * holds it; a list without the VPS says the VPS is not the key's (its request fails {@code forbidden},
 * nothing is held); a list with it says the key lacks the scope the refused call needs (held).</li>
 * <li>{@link #watch}: while a key is held, one probe per {@link ProbeSchedule} delay (5 s, backing off
 * to a minute, stretched by this instance's share of the key), made by the prober itself: an idle
 * instance lifts its own hold, and no held or parked request calls HostUp while the key is held. A
 * hold only a write can end (a missing write scope) is probed by letting one held call try again.</li>
 * </ul>
 * Every probe takes a permit of the account's rate limiter like any call.
 */
@ApplicationScoped
public class KeyProbe {

    private static final Logger LOG = Logger.getLogger(KeyProbe.class);

    /** How a 403 was settled. */
    public enum Verdict { NOT_LISTED, LISTED, KEY_FORBIDDEN, KEY_UNAUTHORIZED, UNKNOWN }

    /** {@code GET /api/v2/vps?limit=&cursor=}. */
    @FunctionalInterface
    public interface VpsLister {
        Uni<ApiResponse> list(Account account, int limit, String cursor);
    }

    static final int PAGE = 100;
    /** Pages read at most to settle one 403 (2,000 VPSs); a longer list leaves it {@code UNKNOWN}. */
    static final int MAX_PAGES = 20;

    private record Listing(int status, Set<String> ids, boolean complete) {
    }

    private final VpsLister lister;
    private final Delays delays;
    private final Clock clock;
    private final ShareSource shares;
    private final ObjectMapper mapper;
    private final ProbeSchedule schedule;
    private final Map<String, Uni<Listing>> inFlight = new HashMap<>();
    private final Set<String> probing = ConcurrentHashMap.newKeySet();

    @Inject
    public KeyProbe(HostUpApi api, Delays delays, Clock clock, ShareSource shares, ObjectMapper mapper) {
        this((account, limit, cursor) -> api.send(account, vpsListRequest(limit, cursor)), delays, clock, shares, mapper,
                ProbeSchedule.DEFAULT);
    }

    /**
     * {@code GET /api/v2/vps?limit={limit}} (and {@code &cursor=}, null for the first page): the VPSs the key may
     * use. It depends on no request: the probe that tells a broken key from a VPS that is not the key's.
     */
    static HostUpRequest vpsListRequest(int limit, String cursor) {
        return HostUpRequest.get(Endpoint.VPS_LIST,
                "/api/v2/vps?limit=" + limit + (cursor == null ? "" : "&cursor=" + HostUpRequest.encode(cursor)));
    }

    public KeyProbe(VpsLister lister, Delays delays, Clock clock, ShareSource shares, ObjectMapper mapper,
                    ProbeSchedule schedule) {
        this.lister = lister;
        this.delays = delays;
        this.clock = clock;
        this.shares = shares;
        this.mapper = mapper;
        this.schedule = schedule;
    }

    /**
     * Settles a 403 HostUp answered for {@code vpsId} on {@code refused}, and tells the account's key
     * state what it found; gives up ({@code UNKNOWN}, counted toward a 403 storm) after {@code within}.
     * Concurrent 403s of one account share the listing in progress; a finished one is never reused,
     * since it may predate what made this call fail (an IP restriction that just began).
     */
    public Uni<Verdict> classify(Account account, String vpsId, Endpoint refused, Duration within) {
        ApiKeyState key = account.keyState();
        return listing(account).map(l -> verdict(l, vpsId))
                .ifNoItem().after(within).recoverWithItem(Verdict.UNKNOWN)
                .invoke(v -> {
                    switch (v) {
                        case KEY_UNAUTHORIZED -> key.unauthorized();
                        case KEY_FORBIDDEN -> key.forbiddenKeyWide(refused, false);
                        case LISTED -> key.forbiddenKeyWide(refused, true);
                        case UNKNOWN -> key.forbiddenUnsettled(vpsId);
                        case NOT_LISTED -> { } // the listing's 2xx already showed the key working
                    }
                });
    }

    private static Verdict verdict(Listing l, String vpsId) {
        if (l.status() == 401) {
            return Verdict.KEY_UNAUTHORIZED;
        }
        if (l.status() == 403) {
            return Verdict.KEY_FORBIDDEN;
        }
        if (l.status() / 100 != 2) {
            return Verdict.UNKNOWN;
        }
        return l.ids().contains(vpsId) ? Verdict.LISTED : l.complete() ? Verdict.NOT_LISTED : Verdict.UNKNOWN;
    }

    private Uni<Listing> listing(Account account) {
        String name = account.name();
        synchronized (this) {
            Uni<Listing> running = inFlight.get(name);
            if (running != null) {
                return running;
            }
            Uni<Listing> fresh = pages(account, null, new HashSet<>(), 0)
                    .onTermination().invoke(() -> {
                        synchronized (this) {
                            inFlight.remove(name);
                        }
                    })
                    .memoize().indefinitely();
            inFlight.put(name, fresh);
            return fresh;
        }
    }

    private Uni<Listing> pages(Account account, String cursor, Set<String> ids, int page) {
        return call(account, PAGE, cursor).onItem().transformToUni(r -> {
            if (r.status() / 100 != 2) {
                return Uni.createFrom().item(new Listing(r.status(), ids, false));
            }
            account.keyState().answered(Endpoint.VPS_LIST, r.status());
            JsonNode root = JsonFields.readObject(r.body(), mapper);
            if (root == null || !root.path("data").isArray()) { // unreadable: settles nothing
                return Uni.createFrom().item(new Listing(-1, ids, false));
            }
            root.path("data").forEach(v -> ids.add(v.path("id").asText("")));
            String next = root.path("nextCursor").isTextual() ? root.path("nextCursor").asText() : null;
            if (!root.path("hasMore").asBoolean(false) || next == null || next.isEmpty()) {
                return Uni.createFrom().item(new Listing(r.status(), ids, true));
            }
            if (page + 1 >= MAX_PAGES) {
                return Uni.createFrom().item(new Listing(r.status(), ids, false));
            }
            return pages(account, next, ids, page + 1);
        }).onFailure().recoverWithItem(f -> new Listing(-1, ids, false));
    }

    /** One VPS list call, under a permit of the account's limiter. */
    private Uni<ApiResponse> call(Account account, int limit, String cursor) {
        return account.limiter().acquire(clock.instant().plus(schedule.max()))
                .onItem().transformToUni(permit -> lister.list(account, limit, cursor)
                        .onItemOrFailure().invoke((r, f) -> {
                            if (f == null) {
                                permit.answered(r);
                            } else {
                                permit.failed();
                            }
                        }));
    }

    /**
     * Probes {@code account}'s key while it is held (at once a no-op when it is not, or a probe
     * already runs): see the class comment.
     */
    public void watch(Account account) {
        ApiKeyState key = account.keyState();
        if (!key.isRejected() || !probing.add(account.name())) {
            return;
        }
        long[] hold = {key.holdsStarted()};
        int[] attempt = {0};
        AsyncLoop.untilPresent(() -> {
            if (!key.isRejected()) {
                return AsyncLoop.done(Boolean.TRUE);
            }
            if (key.holdsStarted() != hold[0]) { // a new hold: the backoff starts again
                hold[0] = key.holdsStarted();
                attempt[0] = 0;
            }
            Duration wait = schedule.delay(attempt[0]++, shares.share());
            return AsyncLoop.again(delays.after(wait).onItem().transformToUni(x -> probeOnce(account)));
        }).subscribe().with(done -> stopped(account), f -> {
            LOG.warnf("Probing account %s's API key failed: %s", account.name(), f.toString());
            stopped(account);
        });
    }

    private void stopped(Account account) {
        probing.remove(account.name());
        if (account.keyState().isRejected()) {
            watch(account); // held again while the loop was ending
        }
    }

    private Uni<Void> probeOnce(Account account) {
        ApiKeyState key = account.keyState();
        if (!key.isRejected()) {
            return Uni.createFrom().voidItem();
        }
        if (!key.listProbeEnds()) {
            key.grantTrial();
            return Uni.createFrom().voidItem();
        }
        return call(account, 1, null).invoke(r -> {
            if (r.status() == 401) {
                key.unauthorized();
            } else if (r.status() == 403) {
                key.listForbidden();
            } else {
                key.answered(Endpoint.VPS_LIST, r.status());
            }
        }).onFailure().recoverWithNull().replaceWithVoid();
    }
}
