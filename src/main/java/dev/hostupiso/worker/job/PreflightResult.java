package dev.hostupiso.worker.job;

import java.util.List;

/**
 * What the URL preflight found. {@code chain} lists the redirect targets in order, as the origin
 * sent them (they may carry signed queries: log or publish them only redacted).
 */
public sealed interface PreflightResult {

    /** Redirects followed (or seen, when refused in check mode). */
    default int redirects() {
        return chain().size();
    }

    List<String> chain();

    /** The file's size as the origin reported it; null when it did not (or was not asked). */
    default Long bytes() {
        return null;
    }

    /** The origin answered the URL itself, with no size above the limit; {@code bytes} null when it named none. */
    record Passed(Long bytes) implements PreflightResult {
        public Passed() {
            this(null);
        }

        @Override
        public List<String> chain() {
            return List.of();
        }
    }

    /**
     * The URL redirects; {@code finalUrl} (the last of {@code chain}) answered, and is what to submit;
     * {@code bytes} null when it named no size.
     */
    record Resolved(String finalUrl, List<String> chain, Long bytes) implements PreflightResult {
        public Resolved {
            chain = List.copyOf(chain);
        }

        public Resolved(String finalUrl, List<String> chain) {
            this(finalUrl, chain, null);
        }
    }

    /** The worker could not see what HostUp will see: submit the URL as given. */
    record Skipped(String reason, List<String> chain) implements PreflightResult {
        public Skipped {
            chain = List.copyOf(chain);
        }
    }

    /**
     * The origin answered something HostUp would refuse: the request fails with {@code code}
     * ({@value #URL_REDIRECTS}, {@value #FILE_TOO_LARGE} or {@value #URL_NOT_FOUND}).
     */
    record Refused(String code, String reason, List<String> chain) implements PreflightResult {
        public Refused {
            chain = List.copyOf(chain);
        }
    }

    String URL_REDIRECTS = "url_redirects";
    String FILE_TOO_LARGE = "file_too_large";
    String URL_NOT_FOUND = "url_not_found";
}
