package dev.hostupiso.worker.sandbox;

import dev.hostupiso.worker.simulator.Endpoint;
import dev.hostupiso.worker.simulator.ScriptedResponse;
import dev.hostupiso.worker.simulator.VpsScript;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the sandbox's HostUp simulator does for a VPS, chosen by the prefix of the request's {@code vpsId}
 * (case-insensitive), e.g. {@code vps_slow_1}, {@code vps_ratelimited-team-a}. The scenario is fixed when the
 * simulator first sees the VPS id: one-off faults (the 429s, the 503s, the redirect's 400) answer the first
 * from-url calls for that VPS only, so use a new id (a new suffix) for each try.
 */
public enum Scenario {

    SLOW("vps_slow", "the download takes long (60 s by default), polls show it in progress, then completed"),
    FAIL("vps_fail", "the download fails on HostUp's side: failed, error.code job_failed"),
    RATE_LIMITED("vps_ratelimited", "from-url answers 429 with Retry-After (twice, 5 s): the whole worker waits, then completed"),
    FLAKY("vps_flaky", "from-url answers 503 upstream_unavailable (twice), retried with backoff, then completed"),
    REDIRECT("vps_redirect", "from-url answers 400 invalid_request at /url, as HostUp does for a URL that redirects: failed, retryable=false"),
    NOT_FOUND("vps_notfound", "HostUp does not know the VPS: failed, error.code vps_not_found"),
    NORMAL("", "a download of a few seconds, then completed (an ISO already in the library, e.g. debian-12.iso, completes at once with alreadyExisted=true)");

    /**
     * HostUp documents that the URL must not redirect, not how it says so; the simulator answers as for its
     * other field checks (400 {@code invalid_request}, one {@code errors[]} entry at {@code /url}). The entry's
     * code and detail are the simulator's own words.
     */
    static final String REDIRECT_CODE = "redirect_not_allowed";
    static final String REDIRECT_DETAIL = "The URL redirects; the URL must point directly at the file.";

    private final String prefix;
    private final String description;

    Scenario(String prefix, String description) {
        this.prefix = prefix;
        this.description = description;
    }

    /** The {@code vpsId} prefix that chooses this scenario (empty for {@link #NORMAL}). */
    public String prefix() {
        return prefix;
    }

    public String description() {
        return description;
    }

    /** The scenario a VPS id chooses. */
    public static Scenario of(String vpsId) {
        String id = vpsId.toLowerCase(Locale.ROOT);
        for (Scenario s : values()) {
            if (s != NORMAL && id.startsWith(s.prefix)) {
                return s;
            }
        }
        return NORMAL;
    }

    /** How the simulator scripts a VPS of this scenario; null when HostUp should not know the VPS. */
    Consumer<VpsScript> setup(ScenarioTimings t) {
        return switch (this) {
            case SLOW -> vps -> vps.jobDuration(t.slowDownload());
            case FAIL -> vps -> vps.jobDuration(t.download()).failJobs("the origin server answered 404 Not Found");
            case RATE_LIMITED -> vps -> {
                vps.jobDuration(t.download());
                for (int i = 0; i < t.faultyAnswers(); i++) {
                    vps.enqueue(Endpoint.FROM_URL, ScriptedResponse.rateLimited(Long.toString(t.retryAfter().toSeconds())));
                }
            };
            case FLAKY -> vps -> {
                vps.jobDuration(t.download());
                for (int i = 0; i < t.faultyAnswers(); i++) {
                    vps.enqueue(Endpoint.FROM_URL, ScriptedResponse.problem(503, "upstream_unavailable"));
                }
            };
            case REDIRECT -> vps -> vps.enqueue(Endpoint.FROM_URL,
                    ScriptedResponse.invalidRequest("/url", REDIRECT_DETAIL, REDIRECT_CODE));
            case NOT_FOUND -> null;
            case NORMAL -> vps -> vps.jobDuration(t.download());
        };
    }

    /** The simulator hook: every VPS id the worker names gets the scenario its prefix chooses. */
    public static Function<String, Consumer<VpsScript>> hook(ScenarioTimings t) {
        return vpsId -> of(vpsId).setup(t);
    }
}
