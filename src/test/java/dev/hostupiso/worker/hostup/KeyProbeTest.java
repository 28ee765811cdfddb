package dev.hostupiso.worker.hostup;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostupiso.worker.metrics.WorkerMetrics;
import dev.hostupiso.worker.testsupport.ManualClock;
import dev.hostupiso.worker.testsupport.ManualTimers;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Endpoint;
import dev.hostupiso.worker.wire.TransportException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KeyProbe} with a scripted VPS list: how a 403 is settled (paged lists, lists too long, unreadable or failed
 * ones, shared listings) and what each probe of a held key does to the key state.
 */
class KeyProbeTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T10:00:00Z"));
    private final ManualTimers timers = new ManualTimers(clock);
    private final WorkerMetrics metrics = new WorkerMetrics(new SimpleMeterRegistry());
    private final HostUpRateLimiter limiter = new HostUpRateLimiterAccess().create(clock, metrics, timers);
    private final ApiKeyState key = new ApiKeyState(metrics, 3);
    private final Account account = new Account(Account.DEFAULT, "t", limiter, key);
    /** The lister's answers in turn (the last repeats): an ApiResponse, a Throwable, or a Uni. */
    private final Deque<Object> answers = new ArrayDeque<>();
    private final List<String> asked = new ArrayList<>();
    private final KeyProbe probe = new KeyProbe((a, limit, cursor) -> {
        asked.add(limit + " " + cursor);
        Object next = answers.size() > 1 ? answers.poll() : answers.peek();
        if (next instanceof Uni<?> u) {
            @SuppressWarnings("unchecked")
            Uni<ApiResponse> later = (Uni<ApiResponse>) u;
            return later;
        }
        return next instanceof Throwable t ? Uni.createFrom().failure(t) : Uni.createFrom().item((ApiResponse) next);
    }, timers, clock, ShareSource.WHOLE, new ObjectMapper(), ProbeSchedule.DEFAULT);

    KeyProbeTest() {
        limiter.observe(Optional.empty());
    }

    private static ApiResponse list(int status, String body) {
        return new ApiResponse(Endpoint.VPS_LIST, status, body, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("application/json"));
    }

    private static ApiResponse page(String cursor, String... ids) {
        StringBuilder data = new StringBuilder();
        for (String id : ids) {
            data.append(data.length() == 0 ? "" : ",").append("{\"id\":\"").append(id).append("\"}");
        }
        return list(200, "{\"data\":[" + data + "],\"hasMore\":" + (cursor != null) + ",\"nextCursor\":"
                + (cursor == null ? "null" : "\"" + cursor + "\"") + "}");
    }

    private KeyProbe.Verdict classify(String vps, Endpoint refused) {
        return probe.classify(account, vps, refused, Duration.ofSeconds(30)).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void aPagedListIsReadToItsEndFollowingItsCursor() {
        answers.addAll(List.of(page("c2", "vps_a"), page("c 3", "vps_b"), page(null, "vps_c")));
        assertThat(classify("vps_c", Endpoint.FROM_URL)).isEqualTo(KeyProbe.Verdict.LISTED);
        assertThat(asked).containsExactly("100 null", "100 c2", "100 c 3");
        assertThat(key.hold()).as("listed: the key lacks a scope").contains(ApiKeyState.Reason.FORBIDDEN);
    }

    @Test
    void aVpsMissingFromTheWholeListIsNotTheKeysAndHoldsNothing() {
        answers.addAll(List.of(page("c2", "vps_a"), page(null, "vps_b")));
        assertThat(classify("vps_x", Endpoint.FROM_URL)).isEqualTo(KeyProbe.Verdict.NOT_LISTED);
        assertThat(key.isRejected()).isFalse();
        assertThat(key.readScopeProven()).as("the list worked").isTrue();
    }

    @Test
    void aListLongerThanTwentyPagesSettlesNothing() {
        answers.add(page("more", "vps_a"));
        assertThat(classify("vps_x", Endpoint.FROM_URL)).isEqualTo(KeyProbe.Verdict.UNKNOWN);
        assertThat(asked).hasSize(KeyProbe.MAX_PAGES);
    }

    @Test
    void aListThatEndsWithAnEmptyCursorIsComplete() {
        answers.add(list(200, "{\"data\":[{\"id\":\"vps_a\"}],\"hasMore\":true,\"nextCursor\":\"\"}"));
        assertThat(classify("vps_x", Endpoint.FROM_URL)).isEqualTo(KeyProbe.Verdict.NOT_LISTED);
        assertThat(asked).hasSize(1);
    }

    @Test
    void anUnreadableFailedOrUnavailableListSettlesNothingAndThreeVpssSoStartAHold() {
        answers.add(list(200, "<html>maintenance</html>"));
        assertThat(classify("vps_1", Endpoint.FROM_URL)).isEqualTo(KeyProbe.Verdict.UNKNOWN);
        answers.clear();
        answers.add(new TransportException(Endpoint.VPS_LIST, TransportException.Kind.CONNECT_FAILED, new IOException("x")));
        assertThat(classify("vps_2", Endpoint.FROM_URL)).isEqualTo(KeyProbe.Verdict.UNKNOWN);
        assertThat(key.isRejected()).isFalse();
        answers.clear();
        answers.add(list(503, "{}"));
        assertThat(classify("vps_3", Endpoint.FROM_URL)).isEqualTo(KeyProbe.Verdict.UNKNOWN);
        assertThat(key.hold()).as("403s on three VPSs that nothing settles: a storm").contains(ApiKeyState.Reason.FORBIDDEN);
    }

    @Test
    void aListRefusedToo401Or403HoldsTheKeyForThatReason() {
        answers.add(list(401, "{}"));
        assertThat(classify("vps_1", Endpoint.FROM_URL)).isEqualTo(KeyProbe.Verdict.KEY_UNAUTHORIZED);
        assertThat(key.hold()).contains(ApiKeyState.Reason.UNAUTHORIZED);
        ApiKeyState other = new ApiKeyState(metrics, 3);
        answers.clear();
        answers.add(list(403, "{}"));
        KeyProbe.Verdict v = probe.classify(new Account("team", "t", limiter, other), "vps_1", Endpoint.ISO_LIST,
                Duration.ofSeconds(30)).await().atMost(Duration.ofSeconds(5));
        assertThat(v).isEqualTo(KeyProbe.Verdict.KEY_FORBIDDEN);
        assertThat(other.hold()).as("an ISO read refused, the list too, read never proven").contains(ApiKeyState.Reason.MISSING_SCOPE);
    }

    @Test
    void concurrent403sShareTheListingInProgressButAFinishedOneIsNotReused() {
        List<UniEmitter<? super ApiResponse>> pending = new ArrayList<>();
        answers.add(Uni.createFrom().<ApiResponse>emitter(pending::add));
        var first = probe.classify(account, "vps_a", Endpoint.FROM_URL, Duration.ofSeconds(30)).subscribe().asCompletionStage();
        var second = probe.classify(account, "vps_b", Endpoint.FROM_URL, Duration.ofSeconds(30)).subscribe().asCompletionStage();
        assertThat(asked).hasSize(1);
        pending.get(0).complete(page(null, "vps_a"));
        assertThat(first.join()).isEqualTo(KeyProbe.Verdict.LISTED);
        assertThat(second.join()).isEqualTo(KeyProbe.Verdict.NOT_LISTED);
        answers.clear();
        answers.add(page(null, "vps_b"));
        assertThat(classify("vps_b", Endpoint.FROM_URL)).isEqualTo(KeyProbe.Verdict.LISTED);
        assertThat(asked).hasSize(2);
    }

    // --- probing a held key ---------------------------------------------------------------------

    @Test
    void aProbeThatMeetsA403TurnsAnUnauthorizedHoldIntoAForbiddenOneAndAFailedProbeChangesNothing() {
        key.unauthorized();
        answers.addAll(List.of(list(403, "{}"),
                new TransportException(Endpoint.VPS_LIST, TransportException.Kind.CONNECT_FAILED, new IOException("x")),
                page(null, "vps_a")));
        probe.watch(account);
        timers.advance(Duration.ofSeconds(5));
        assertThat(key.hold()).contains(ApiKeyState.Reason.FORBIDDEN);
        timers.advance(Duration.ofSeconds(10)); // 15 s: the probe fails without an answer
        assertThat(key.hold()).contains(ApiKeyState.Reason.FORBIDDEN);
        assertThat(asked).hasSize(2);
        timers.advance(Duration.ofSeconds(20)); // 35 s: the list works
        assertThat(key.isRejected()).isFalse();
        assertThat(asked).containsOnly("1 null");
        timers.advance(Duration.ofMinutes(5));
        assertThat(asked).as("no probe once the key works").hasSize(3);
    }

    @Test
    void aHoldOnlyAWriteCanEndIsProbedByGrantingATrialNotByListing() {
        key.forbiddenKeyWide(Endpoint.FROM_URL, true); // the VPS is listed: a write scope is missing
        List<String> trials = new ArrayList<>();
        key.whenTrial(() -> trials.add("trial"));
        probe.watch(account);
        timers.advance(Duration.ofSeconds(5));
        assertThat(trials).hasSize(1);
        assertThat(asked).isEmpty();
        key.answered(Endpoint.FROM_URL, 202);
        assertThat(key.isRejected()).isFalse();
    }

    @Test
    void watchingAKeyThatIsNotHeldOrAlreadyWatchedStartsNoSecondProbe() {
        probe.watch(account);
        assertThat(timers.pending()).isZero();
        key.unauthorized();
        answers.add(list(401, "{}"));
        probe.watch(account);
        probe.watch(account);
        assertThat(timers.pending()).isEqualTo(1);
    }
}
