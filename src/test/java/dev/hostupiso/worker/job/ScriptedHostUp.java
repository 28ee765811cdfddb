package dev.hostupiso.worker.job;

import dev.hostupiso.worker.hostup.Account;
import dev.hostupiso.worker.hostup.HostUpApi;
import dev.hostupiso.worker.hostup.HostUpRequest;
import dev.hostupiso.worker.wire.ApiResponse;
import dev.hostupiso.worker.wire.Endpoint;
import io.smallrye.mutiny.Uni;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HostUp as a script: each endpoint answers its queued answers (an {@link ApiResponse}, a
 * {@link Throwable}, or a {@link Uni} the test completes when it likes) in turn, then repeats the
 * last one. Answers synchronously unless given a Uni; counts calls.
 */
public final class ScriptedHostUp implements HostUpApi {

    private final Map<Endpoint, Deque<Object>> scripts = new EnumMap<>(Endpoint.class);
    private final Map<Endpoint, AtomicInteger> calls = new EnumMap<>(Endpoint.class);

    public ScriptedHostUp then(Endpoint endpoint, Object... answers) {
        Deque<Object> q = scripts.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        for (Object a : answers) {
            q.add(a);
        }
        return this;
    }

    public int calls(Endpoint endpoint) {
        return calls.computeIfAbsent(endpoint, e -> new AtomicInteger()).get();
    }

    private Uni<ApiResponse> answer(Endpoint endpoint) {
        calls.computeIfAbsent(endpoint, e -> new AtomicInteger()).incrementAndGet();
        Deque<Object> q = scripts.get(endpoint);
        if (q == null || q.isEmpty()) {
            throw new AssertionError("no answer scripted for " + endpoint);
        }
        Object a = q.size() > 1 ? q.poll() : q.peek();
        if (a instanceof Uni<?> later) {
            @SuppressWarnings("unchecked")
            Uni<ApiResponse> answer = (Uni<ApiResponse>) later;
            return answer;
        }
        return a instanceof Throwable t ? Uni.createFrom().failure(t) : Uni.createFrom().item((ApiResponse) a);
    }

    @Override
    public Uni<ApiResponse> send(Account account, HostUpRequest request) {
        return Uni.createFrom().deferred(() -> answer(request.endpoint()));
    }

    // --- answers --------------------------------------------------------------------------------

    public static ApiResponse json(Endpoint endpoint, int status, String body) {
        return new ApiResponse(endpoint, status, body, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of("req_" + status), Optional.of("application/json"));
    }

    public static ApiResponse problem(Endpoint endpoint, int status, String code) {
        return new ApiResponse(endpoint, status, "{\"code\":\"" + code + "\",\"title\":\"t\",\"status\":" + status + "}",
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("req_" + status),
                Optional.of("application/problem+json"));
    }

    public static ApiResponse withRetryAfter(ApiResponse r, String retryAfter) {
        return new ApiResponse(r.endpoint(), r.status(), r.body(), Optional.of(retryAfter), r.date(), r.rateLimit(),
                r.upstreamRequestId(), r.contentType());
    }

    public static ApiResponse library(String... names) {
        StringBuilder sb = new StringBuilder("{\"available\":[");
        for (int i = 0; i < names.length; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"id\":\"iso_").append(i + 1).append("\",\"name\":\"").append(names[i]).append("\"}");
        }
        return json(Endpoint.ISO_LIST, 200, sb.append("]}").toString());
    }

    /** A library listing {@code name} as {@code iso_1}, mounted on {@code device} (null: not mounted, empty list). */
    public static ApiResponse libraryMounted(String name, String device) {
        String mounted = device == null ? "[]" : "[{\"device\":\"" + device + "\",\"isoId\":\"iso_1\",\"mounted\":true}]";
        return json(Endpoint.ISO_LIST, 200, "{\"available\":[{\"id\":\"iso_1\",\"name\":\"" + name + "\"}],\"mounted\":"
                + mounted + "}");
    }

    /** A one-page {@code GET /api/v2/vps} answer listing {@code ids}. */
    public static ApiResponse vpss(String... ids) {
        StringBuilder sb = new StringBuilder("{\"data\":[");
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"id\":\"").append(ids[i]).append("\"}");
        }
        return json(Endpoint.VPS_LIST, 200, sb.append("],\"hasMore\":false,\"nextCursor\":null}").toString());
    }

    public static ApiResponse jobIs(String state) {
        return json(Endpoint.JOB, 200, "{\"operation\":{\"id\":\"job_1\",\"status\":\"" + state + "\"}}");
    }
}
